"""Unit tests of the Glue job's transform functions: python3 -m unittest discover -s platform/tests"""

import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "glue"))

import transforms as t  # noqa: E402


class NormalizeColumnName(unittest.TestCase):
    def test_snake_case(self):
        self.assertEqual(t.normalize_column_name("Order ID"), "order_id")
        self.assertEqual(t.normalize_column_name("  unit-price (EUR) "), "unit_price_eur")

    def test_camel_and_pascal_case(self):
        self.assertEqual(t.normalize_column_name("orderId"), "order_id")
        self.assertEqual(t.normalize_column_name("HTTPStatusCode"), "http_status_code")

    def test_accents_are_transliterated(self):
        self.assertEqual(t.normalize_column_name("Prénom"), "prenom")

    def test_leading_digit_and_empty(self):
        self.assertEqual(t.normalize_column_name("1st_purchase"), "c_1st_purchase")
        self.assertEqual(t.normalize_column_name("???"), "column")
        self.assertEqual(t.normalize_column_name(""), "column")

    def test_length_limit(self):
        self.assertEqual(len(t.normalize_column_name("x" * 400)), t.MAX_NAME_LENGTH)


class NormalizeColumns(unittest.TestCase):
    def test_collisions_get_suffixes_in_order(self):
        self.assertEqual(
            t.normalize_columns(["Order ID", "order_id", "orderId", "amount"]),
            ["order_id", "order_id_2", "order_id_3", "amount"],
        )

    def test_suffix_respects_length_limit(self):
        names = t.normalize_columns(["y" * 300, "y" * 300])
        self.assertEqual(len(set(names)), 2)
        self.assertTrue(all(len(n) <= t.MAX_NAME_LENGTH for n in names))
        self.assertTrue(names[1].endswith("_2"))


class CleanValue(unittest.TestCase):
    def test_trims(self):
        self.assertEqual(t.clean_value("  42 "), "42")

    def test_null_tokens(self):
        for token in ["", "   ", "NULL", "null", "N/A", "na", "NaN", "None", "\\N"]:
            self.assertIsNone(t.clean_value(token), token)
        self.assertIsNone(t.clean_value(None))

    def test_keeps_zero_and_words_containing_tokens(self):
        self.assertEqual(t.clean_value("0"), "0")
        self.assertEqual(t.clean_value("nancy"), "nancy")

    def test_empty_rows(self):
        self.assertTrue(t.is_empty_row(["", " NULL ", None]))
        self.assertFalse(t.is_empty_row(["", "1"]))


class Keys(unittest.TestCase):
    def test_data_keys(self):
        self.assertTrue(t.is_data_key("orders/2026/orders.csv"))
        self.assertFalse(t.is_data_key("_glue/scripts/raw_to_curated.py"))
        self.assertFalse(t.is_data_key("_glue/temp/part-0000"))
        self.assertFalse(t.is_data_key("orders.csv"))  # no dataset folder
        self.assertFalse(t.is_data_key("orders/"))  # folder marker
        self.assertFalse(t.is_data_key("orders/_SUCCESS"))
        self.assertFalse(t.is_data_key("orders/.DS_Store"))

    def test_dataset_from_key(self):
        self.assertEqual(t.dataset_from_key("orders/a.csv"), "orders")
        self.assertEqual(t.dataset_from_key("Web Sessions/ingest_date=2026-01-01/a.csv"), "web_sessions")
        with self.assertRaises(ValueError):
            t.dataset_from_key("_glue/scripts/x.py")
        with self.assertRaises(ValueError):
            t.dataset_from_key("2026/a.csv")  # c_2026 would be a column-style name, not ours

    def test_datasets_in(self):
        keys = ["orders/a.csv", "orders/b.csv", "_glue/temp/x", "customers/c.csv", "stray.csv", "2026/x.csv"]
        self.assertEqual(t.datasets_in(keys), ["customers", "orders"])

    def test_ingest_date(self):
        default = datetime.date(2026, 3, 4)
        self.assertEqual(t.ingest_date_from_key("orders/ingest_date=2026-01-31/a.csv", default), "2026-01-31")
        self.assertEqual(t.ingest_date_from_key("orders/a.csv", default), "2026-03-04")
        self.assertEqual(
            t.ingest_date_from_key("s3://raw/orders/ingest_date=2025-12-01/a.csv", default), "2025-12-01"
        )
        with self.assertRaises(ValueError):
            t.ingest_date_from_key("orders/ingest_date=2026-13-40/a.csv", default)

    def test_paths(self):
        self.assertEqual(t.source_path("s3://raw-bucket/", "orders"), "s3://raw-bucket/orders/")
        self.assertEqual(t.target_path("s3://curated-bucket", "orders"), "s3://curated-bucket/orders/")


class KeysByDataset(unittest.TestCase):
    def test_one_partition_by_dataset(self):
        keys = [
            "orders/ingest_date=2026-01-02/a.csv",
            "/orders/ingest_date=2026-01-02/b.csv",
            "orders/ingest_date=2026-01-03/c.csv",
            "customers/ingest_date=2026-01-02/c.csv",
            "customers/no-partition.csv",
            "_glue/scripts/ingest_date=2026-01-02/x.py",
            "2026/ingest_date=2026-01-02/x.csv",
            "orders/ingest_date=2026-13-40/bad.csv",
        ]
        self.assertEqual(
            t.keys_by_dataset(keys, "2026-01-02"),
            {
                "customers": ["customers/ingest_date=2026-01-02/c.csv"],
                "orders": ["orders/ingest_date=2026-01-02/a.csv", "orders/ingest_date=2026-01-02/b.csv"],
            },
        )

    def test_nothing_for_another_day(self):
        self.assertEqual(t.keys_by_dataset(["orders/ingest_date=2026-01-02/a.csv"], "2026-01-05"), {})


if __name__ == "__main__":
    unittest.main()
