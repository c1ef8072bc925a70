// Compacts small objects of the lake; the body does not matter to the example, only its asset.
export async function handler(event) {
  return { compacted: 0, bucket: process.env.LAKE_BUCKET, event };
}
