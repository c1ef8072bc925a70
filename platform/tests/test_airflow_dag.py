"""Unit tests of the Airflow DAG's plain functions (no Airflow needed)."""

import ast
import importlib.util
import os
import unittest

DAG_FILE = os.path.join(os.path.dirname(__file__), "..", "airflow", "dags", "raw_to_curated.py")
spec = importlib.util.spec_from_file_location("raw_to_curated_dag", DAG_FILE)
dag = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dag)

TEMPLATE = os.path.join(os.path.dirname(__file__), "..", "..", "templates", "airflow.yaml")


class Settings(unittest.TestCase):
    def test_reads_every_key_from_the_platform_section(self):
        config = {("platform", k): f"value-{k}" for k in dag.KEYS}
        self.assertEqual(
            dag.settings(lambda s, k: config.get((s, k))),
            {k: f"value-{k}" for k in dag.KEYS},
        )

    def test_a_missing_key_is_an_error(self):
        config = {("platform", k): "x" for k in dag.KEYS if k != "crawler_name"}
        with self.assertRaises(KeyError):
            dag.settings(lambda s, k: config.get((s, k)))

    def test_the_template_sets_every_key(self):
        with open(TEMPLATE, encoding="utf8") as f:
            text = f.read()
        for key in dag.KEYS:
            self.assertIn(f"platform.{key}:", text)


class Shape(unittest.TestCase):
    def test_without_airflow_no_dag_is_built(self):
        self.assertIsNone(dag.DAG)

    def test_tasks_are_chained_in_pipeline_order(self):
        with open(DAG_FILE, encoding="utf8") as f:
            tree = ast.parse(f.read())
        task_ids = [
            kw.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            for kw in node.keywords
            if kw.arg == "task_id"
        ]
        self.assertEqual(task_ids, dag.task_order())
        chains = [n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.RShift)]
        self.assertEqual([(c.left.id, c.right.id) for c in chains], [tuple(dag.task_order())])


if __name__ == "__main__":
    unittest.main()
