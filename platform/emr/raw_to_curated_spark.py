"""EMR Serverless (plain PySpark) job of the data platform: one day of raw CSV -> curated Parquet.

The same decisions as the Glue job (names, nulls, partitions: platform/glue/transforms.py, which
platform/tests unit-tests), for teams that run Spark on EMR Serverless, e.g. for a backfill.
Published with the Glue code to s3://<raw bucket>/_glue/scripts/ (uploads there start nothing);
run it as in docs/platform.md, "Data tools":

    --source s3://<raw bucket>/  --target s3://<curated bucket>/  [--ingest-date YYYY-MM-DD]

It rewrites only the ingest_date partition it reads (dynamic partition overwrite), so a rerun of
a day replaces that day and nothing else. The crawler picks up the partition on its next run.
"""

import argparse
import datetime
from urllib.parse import urlparse

import boto3
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

import transforms


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="s3://<raw bucket>/")
    parser.add_argument("--target", required=True, help="s3://<curated bucket>/")
    parser.add_argument(
        "--ingest-date",
        default=datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        type=lambda v: datetime.date.fromisoformat(v).isoformat(),
        help="the ingest_date partition to process (default: today, UTC)",
    )
    return parser.parse_args()


def raw_keys(bucket: str, prefix: str):
    paginator = boto3.client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def main() -> None:
    args = arguments()
    spark = (
        SparkSession.builder.appName(f"raw-to-curated {args.ingest_date}")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .getOrCreate()
    )
    source = urlparse(args.source)
    clean = F.udf(transforms.clean_value, StringType())
    by_dataset = transforms.keys_by_dataset(
        raw_keys(source.netloc, source.path.lstrip("/")), args.ingest_date
    )
    for dataset, keys in by_dataset.items():
        df = spark.read.option("header", True).csv([f"s3://{source.netloc}/{k}" for k in keys])
        df = df.toDF(*transforms.normalize_columns(df.columns))
        df = df.select([clean(F.col(c)).alias(c) for c in df.columns]).dropna(how="all")
        df = df.withColumn("ingest_date", F.lit(args.ingest_date))
        target = transforms.target_path(args.target, dataset)
        df.write.mode("overwrite").partitionBy("ingest_date").parquet(target)
        print(f"{dataset}: {len(keys)} files of {args.ingest_date} written to {target}")
    if not by_dataset:
        print(f"no raw files for ingest_date={args.ingest_date}")
    spark.stop()


if __name__ == "__main__":
    main()
