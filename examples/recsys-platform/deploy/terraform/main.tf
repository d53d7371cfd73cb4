# Storage and online store for the recommendation platform.
# The EKS cluster, MLflow and Kubeflow are managed by the platform team's own stack.

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "recsys/terraform.tfstate"
    region         = "eu-central-1"
    dynamodb_table = "terraform-locks"
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project = "recsys"
      owner   = "recsys-ml"
    }
  }
}

variable "region" {
  type    = string
  default = "eu-central-1"
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Subnets of the EKS cluster the online store must be reachable from"
}

variable "cluster_security_group_id" {
  type = string
}

resource "aws_s3_bucket" "data" {
  bucket = "acme-recsys-data"
}

resource "aws_s3_bucket" "features" {
  bucket = "acme-recsys-features"
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "serving_logs" {
  bucket = aws_s3_bucket.data.id

  rule {
    id     = "expire-serving-logs"
    status = "Enabled"
    filter {
      prefix = "serving-logs/"
    }
    expiration {
      days = 90
    }
  }
}

resource "aws_elasticache_subnet_group" "online_store" {
  name       = "recsys-online-store"
  subnet_ids = var.private_subnet_ids
}

resource "aws_security_group" "online_store" {
  name   = "recsys-online-store"
  vpc_id = data.aws_subnet.first.vpc_id

  ingress {
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [var.cluster_security_group_id]
  }
}

data "aws_subnet" "first" {
  id = var.private_subnet_ids[0]
}

resource "aws_elasticache_replication_group" "online_store" {
  replication_group_id       = "recsys-online-store"
  description                = "Feast online store for the recsys ranker"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.r7g.large"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  subnet_group_name          = aws_elasticache_subnet_group.online_store.name
  security_group_ids         = [aws_security_group.online_store.id]
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
}

output "online_store_endpoint" {
  value = aws_elasticache_replication_group.online_store.primary_endpoint_address
}
