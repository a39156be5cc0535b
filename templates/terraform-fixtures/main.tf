# A root module that Terraform can init, plan and apply with no network:
# only the built-in terraform_data resource and a local module. The action
# tests drive the real CLI through it.

module "greeting" {
  source = "./modules/greeting"

  name = var.name
}

resource "terraform_data" "environment" {
  input = {
    name     = var.name
    greeting = module.greeting.text
  }
}

# Replaced whenever `generation` changes: lets a test plan a destroy.
resource "terraform_data" "generation" {
  triggers_replace = var.generation
}

# Sleeps during apply: lets a test cancel an apply mid-way.
resource "terraform_data" "slow" {
  count = var.apply_sleep_seconds > 0 ? 1 : 0

  provisioner "local-exec" {
    command = "sleep ${var.apply_sleep_seconds}"
  }
}

# Fails during apply: lets a test see a failing apply.
resource "terraform_data" "failing" {
  count = var.fail_apply ? 1 : 0

  provisioner "local-exec" {
    command = "echo provisioning failed >&2; exit 1"
  }
}

# Uses the secret, so a test can check that it never reaches the log.
resource "terraform_data" "uses_secret" {
  input = sha256(var.api_token)

  provisioner "local-exec" {
    command = "echo token is ${nonsensitive(var.api_token)}"
  }
}
