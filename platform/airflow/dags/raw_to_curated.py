"""Airflow DAG of the data platform: run the raw -> curated Glue job, then the crawler.

Published to s3://<DagBucket>/dags/ (docs/platform.md). The names come from the MWAA
environment's Airflow configuration (section ``platform``, set by templates/airflow.yaml), so the
same file runs in every environment. The S3 upload events start the same job through the Glue
workflow; this DAG is the scheduled run (daily, catching up nothing) and the button to press
for a re-run. Job bookmarks make a run read only raw files that arrived since the last
successful run, so a re-run after a failure picks up exactly what was missed.

The decisions are plain functions (no Airflow needed), unit-tested by
``python3 -m unittest discover -s platform/tests``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Optional

DAG_ID = "data_platform_raw_to_curated"
SECTION = "platform"
# Airflow configuration key -> setting; every key is set by templates/airflow.yaml.
KEYS = ("glue_job_name", "crawler_name", "spark_application_id", "spark_job_role_arn")


def settings(get: Callable[[str, str], Optional[str]]) -> dict:
    """The platform's names from the Airflow configuration; a missing key is an error, because a
    DAG that guesses a job name would run the wrong environment's job."""
    values = {}
    for key in KEYS:
        value = get(SECTION, key)
        if not value:
            raise KeyError(f"Airflow configuration {SECTION}.{key} is not set (see templates/airflow.yaml)")
        values[key] = value
    return values


def task_order() -> list:
    """The pipeline's steps, in order (the DAG chains its tasks exactly like this)."""
    return ["run_glue_job", "crawl_curated"]


try:  # Only inside Airflow (MWAA); the unit tests import the functions above without it.
    from airflow import DAG
    from airflow.configuration import conf as airflow_conf
    from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
    from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerOperator
except ImportError:  # pragma: no cover - exercised by the unit tests
    DAG = None

if DAG is not None:  # pragma: no cover - runs in Airflow
    names = settings(lambda section, key: airflow_conf.get(section, key, fallback=None))
    with DAG(
        dag_id=DAG_ID,
        description="raw -> curated Glue job, then the curated crawler",
        schedule="@daily",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
        tags=["data-platform"],
    ) as dag:
        run_glue_job = GlueJobOperator(
            task_id="run_glue_job",
            job_name=names["glue_job_name"],
            wait_for_completion=True,
            verbose=False,
        )
        crawl_curated = GlueCrawlerOperator(
            task_id="crawl_curated",
            config={"Name": names["crawler_name"]},
            wait_for_completion=True,
        )
        run_glue_job >> crawl_curated
