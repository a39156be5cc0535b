# A root module that Terraform can init, plan and apply with no network:
# only the built-in terraform_data resource and a local module. The action
# tests drive the real CLI through it. It passes the actions' content policy:
# no provisioners, no data sources that run programs.

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

# Fails during apply: its postcondition reads the id, which is only known
# once the resource exists, so the plan succeeds and the apply fails.
resource "terraform_data" "failing" {
  count = var.fail_apply ? 1 : 0

  lifecycle {
    postcondition {
      condition     = self.id == "never"
      error_message = "provisioning failed: the fixture's failing resource fails on purpose."
    }
  }
}
