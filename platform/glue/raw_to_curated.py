"""Glue (PySpark) job of the data platform: raw CSV -> curated Parquet, one table per dataset.

Published by the deploy to s3://<raw bucket>/_glue/scripts/ together with transforms.py (the job
passes it with --extra-py-files); see docs/platform.md, "Publish the Glue code". Every decision
about names, nulls and partitions lives in transforms.py, which platform/tests unit-tests.

Arguments (set as DefaultArguments in templates/glue.yaml):
    --source_path      s3://<raw bucket>/
    --target_path      s3://<curated bucket>/
    --target_database  data_platform_<env>
Job bookmarks are on, so each run reads only files that arrived since the last successful run.
"""

import datetime
import sys
from urllib.parse import urlparse

import boto3
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

import transforms

args = getResolvedOptions(sys.argv, ["JOB_NAME", "source_path", "target_path", "target_database"])
spark_context = SparkContext.getOrCreate()
glue_context = GlueContext(spark_context)
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
log = glue_context.get_logger()

run_date = datetime.datetime.now(datetime.timezone.utc).date()
source = urlparse(args["source_path"])


def raw_keys(bucket: str, prefix: str):
    paginator = boto3.client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


clean = F.udf(transforms.clean_value, StringType())
ingest_date = F.udf(lambda path: transforms.ingest_date_from_key(path or "", run_date), StringType())

for dataset in transforms.datasets_in(raw_keys(source.netloc, source.path.lstrip("/"))):
    ctx = f"raw_{dataset}"
    frame = glue_context.create_dynamic_frame.from_options(
        connection_type="s3",
        connection_options={"paths": [transforms.source_path(args["source_path"], dataset)], "recurse": True},
        format="csv",
        format_options={"withHeader": True},
        transformation_ctx=ctx,  # the bookmark remembers which files this dataset has read
    )
    df = frame.toDF()
    if not df.columns or df.rdd.isEmpty():
        log.info(f"{dataset}: no new files")
        continue
    df = df.toDF(*transforms.normalize_columns(df.columns))
    df = df.select([clean(F.col(c)).alias(c) for c in df.columns])
    df = df.dropna(how="all")  # the rows transforms.is_empty_row drops
    df = df.withColumn("ingest_date", ingest_date(F.input_file_name()))
    glue_context.write_dynamic_frame.from_options(
        frame=DynamicFrame.fromDF(df, glue_context, f"curated_{dataset}"),
        connection_type="s3",
        connection_options={
            "path": transforms.target_path(args["target_path"], dataset),
            "partitionKeys": ["ingest_date"],
        },
        format="glueparquet",
        transformation_ctx=f"curated_{dataset}",
    )
    log.info(f"{dataset}: written to {transforms.target_path(args['target_path'], dataset)}")

job.commit()  # advances the bookmarks only when every dataset was written
