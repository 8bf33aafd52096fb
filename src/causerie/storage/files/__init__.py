"""The files domain's storage: the blob stores (disk, S3) and the SQL of trees, shares and uploads."""
