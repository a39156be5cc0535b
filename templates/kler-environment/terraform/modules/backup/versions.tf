terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
      # The second region the production copies go to.
      configuration_aliases = [aws.copy]
    }
  }
}
