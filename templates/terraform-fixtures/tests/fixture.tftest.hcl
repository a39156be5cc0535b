# `terraform test` over the fixture, offline (only terraform_data and a local
# module): what the action tests rely on it doing.

run "greets_the_environment" {
  command = plan

  variables {
    name = "unit"
  }

  assert {
    condition     = module.greeting.text == "Hello, unit!"
    error_message = "The greeting module does not greet the environment by name."
  }
}

run "applies_and_keeps_the_token_out_of_its_hash_output" {
  command = apply

  variables {
    api_token = "tok-terraform-test"
  }

  assert {
    condition     = output.api_token_hash == sha256("tok-terraform-test")
    error_message = "api_token_hash is not the token's sha256."
  }

  assert {
    condition     = terraform_data.environment.output.greeting == "Hello, fixture!"
    error_message = "The environment resource does not carry the greeting."
  }
}

run "a_failing_apply_fails" {
  command = apply

  variables {
    fail_apply = true
  }

  expect_failures = [terraform_data.failing]
}
