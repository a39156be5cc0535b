#!/usr/bin/env bash
# The steps of the environments repository's pipeline (GitHub Actions and
# GitLab CI run the same ones), for environments/<name>/ and the values in its
# pipeline.json, which the portal wrote. Needs bash, git, jq, curl and
# terraform. Written by the portal's kler-environment template: change it there.
#
#   pipeline.sh changed <base> <head>        changed environments, as JSON
#   pipeline.sh init <name>                  terraform init with its backend
#   pipeline.sh plan <name> <out> [args...]  plan -out, its text and summary
#   pipeline.sh guard <name> <out>           refuse destroys unless allowed
#   pipeline.sh apply <name> <out>           apply the saved plan
#   pipeline.sh comment <name> <out>         the plan as Markdown
#   pipeline.sh gitlab-report <out>          GitLab's Terraform report
#   pipeline.sh report <name> <kind> <outcome> [out]   to the portal's history
set -euo pipefail

# kler-environment's name pattern (ENVIRONMENT_NAME in the portal).
NAME_PATTERN='^[a-z][a-z0-9-]{1,28}[a-z0-9]$'
ROLE_NAME='kler-environments-pipeline'
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
  echo "pipeline.sh: $*" >&2
  exit 1
}

check_name() {
  [[ "$1" =~ $NAME_PATTERN ]] || fail "'$1' is not an environment name"
}

# Checks an environment's pipeline.json (on stdin) and prints what the jobs
# need. The values come from the pull request, so each must be what the portal
# writes: its own state key, and the pipeline role of its own account.
validate() {
  jq -c --arg name "$1" --arg role "$ROLE_NAME" '
    [ (if .environment == $name then empty else "environment is not \($name)" end),
      (if (.accountId | type) == "string" and (.accountId | test("^[0-9]{12}$")) then empty else "accountId is not a 12-digit account id" end),
      (if (.region | type) == "string" and (.region | test("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$")) then empty else "region is not an AWS region" end),
      (if .tier == "development" or .tier == "production" then empty else "tier is not development or production" end),
      (if .roleArn == "arn:aws:iam::\(.accountId):role/\($role)" then empty else "roleArn is not the \($role) role of account \(.accountId)" end),
      (if .backendConfig.key == "environments/\($name)/terraform.tfstate" then empty else "backendConfig.key is not environments/\($name)/terraform.tfstate" end),
      (if (.backendConfig | type) == "object" and ([.backendConfig[] | type] | all(. == "string")) then empty else "backendConfig values are not strings" end)
    ] as $problems
    | if ($problems | length) == 0
      then {name: .environment, tier, accountId, region, roleArn}
      else error("environments/\($name)/pipeline.json: " + ($problems | join("; "))) end'
}

# The environments whose files changed between two commits (three dots: a
# pull request's own changes), checked. An environment whose directory is
# gone is left out: removing its code destroys nothing.
cmd_changed() {
  local base="${1:-}" head="${2:?head commit}" files name dir result='[]' entry
  if [[ -z "$base" || "$base" =~ ^0+$ ]]; then
    files="$(git ls-tree -r --name-only "$head" -- environments)"
  else
    files="$(git diff --name-only "$base...$head" -- environments)"
  fi
  for name in $(printf '%s\n' "$files" | awk -F/ 'NF >= 3 && $1 == "environments" { print $2 }' | sort -u); do
    check_name "$name"
    dir="environments/$name"
    if ! git cat-file -e "$head:$dir/pipeline.json" 2>/dev/null; then
      echo "$dir has no pipeline.json at $head: not planned or applied" >&2
      continue
    fi
    entry="$(git show "$head:$dir/pipeline.json" | validate "$name")" || exit 1
    result="$(jq -c --argjson entry "$entry" '. + [$entry]' <<<"$result")"
  done
  echo "$result"
}

cmd_init() {
  local name="${1:?environment}" dir args=()
  check_name "$name"
  dir="environments/$name"
  validate "$name" <"$dir/pipeline.json" >/dev/null
  mapfile -t args < <(jq -r '.backendConfig | to_entries[] | "-backend-config=\(.key)=\(.value)"' "$dir/pipeline.json")
  terraform -chdir="$dir" init -input=false -no-color "${args[@]}"
}

# Saves the plan (never published: it may hold secrets), its text and its
# summary. Fails when Terraform does.
cmd_plan() {
  local name="${1:?environment}" out="${2:?output directory}" code=0
  shift 2
  check_name "$name"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  terraform -chdir="environments/$name" plan -input=false -no-color \
    -detailed-exitcode -out="$out/tfplan" "$@" >"$out/plan.txt" 2>&1 || code=$?
  cat "$out/plan.txt"
  if [[ $code -eq 1 ]]; then
    grep -m1 '^Error:' "$out/plan.txt" >"$out/message.txt" || echo 'terraform plan failed' >"$out/message.txt"
    return 1
  fi
  terraform -chdir="environments/$name" show -json "$out/tfplan" |
    jq -c -f "$SCRIPT_DIR/plan-summary.jq" >"$out/summary.json"
  jq -r '"Plan: \(.add) to add, \(.change) to change, \(.destroy) to destroy, \(.replace) to replace"' \
    "$out/summary.json" >"$out/message.txt"
}

# As the portal's apply refuses a plan that destroys or replaces unless
# allowDestroy is given: here, allowDestroy true in pipeline.json.
cmd_guard() {
  local name="${1:?environment}" out="${2:?output directory}" allowed
  check_name "$name"
  allowed="$(jq -r '.allowDestroy == true' "environments/$name/pipeline.json")"
  if [[ "$allowed" != true ]] && jq -e '.destroy + .replace > 0' "$out/summary.json" >/dev/null; then
    echo "The plan destroys or replaces resources, and environments/$name/pipeline.json does not set allowDestroy: true; nothing was applied" |
      tee "$out/message.txt" >&2
    return 1
  fi
}

cmd_apply() {
  local name="${1:?environment}" out="${2:?output directory}" code=0
  check_name "$name"
  out="$(cd "$out" && pwd)"
  terraform -chdir="environments/$name" apply -input=false -no-color "$out/tfplan" \
    >"$out/apply.txt" 2>&1 || code=$?
  cat "$out/apply.txt"
  if [[ $code -ne 0 ]]; then
    grep -m1 '^Error:' "$out/apply.txt" >"$out/message.txt" || echo 'terraform apply failed' >"$out/message.txt"
    return 1
  fi
  jq -r '"Applied: \(.add) added, \(.change) changed, \(.destroy) destroyed, \(.replace) replaced"' \
    "$out/summary.json" >"$out/message.txt"
}

# The plan for the pull request: the summary by type, and the plan's text
# (cut to fit a comment). Terraform's text shows no sensitive value.
cmd_comment() {
  local name="${1:?environment}" out="${2:?output directory}"
  check_name "$name"
  if [[ ! -f "$out/summary.json" ]]; then
    printf '### `%s`: the plan failed\n\n```\n%s\n```\n' "$name" "$(tail -c 20000 "$out/plan.txt" 2>/dev/null)"
    return 0
  fi
  jq -r --arg name "$name" '
    "### `\($name)`: \(.add) to add, \(.change) to change, \(.destroy) to destroy, \(.replace) to replace\n",
    (if .destroy + .replace > 0 then "**This plan destroys or replaces resources.** It is applied only if pipeline.json sets allowDestroy: true.\n" else empty end),
    (if (.byType | length) > 0 then
       "| Resource type | add | change | destroy | replace |\n|---|---|---|---|---|",
       (.byType | to_entries[] | "| `\(.key)` | \(.value.add) | \(.value.change) | \(.value.destroy) | \(.value.replace) |"),
       ""
     else "No resource changes.\n" end)' "$out/summary.json"
  printf '<details><summary>terraform plan</summary>\n\n```\n%s\n```\n</details>\n' \
    "$(head -c 50000 "$out/plan.txt")"
}

# GitLab's merge request widget reads {create, update, delete}.
cmd_gitlab_report() {
  local out="${1:?output directory}"
  jq -c '{create: (.add + .replace), update: .change, delete: (.destroy + .replace)}' \
    "$out/summary.json" >"$out/gitlab-plan.json"
}

# Records the run in the portal's history (POST .../environments/:name/runs,
# with a static token that may do only that). Best effort: the job's outcome
# is Terraform's, never the portal's.
cmd_report() {
  local name="${1:?environment}" kind="${2:?plan or apply}" outcome="${3:?outcome}" out="${4:-}"
  local actor link summary='null' message='' body
  check_name "$name"
  if [[ -z "${KLER_PORTAL_URL:-}" || -z "${KLER_ENVIRONMENTS_PIPELINE_TOKEN:-}" ]]; then
    echo "KLER_PORTAL_URL or KLER_ENVIRONMENTS_PIPELINE_TOKEN is not set: the run is not recorded in the portal" >&2
    return 0
  fi
  if [[ "${GITLAB_CI:-}" == true ]]; then
    actor="gitlab:${GITLAB_USER_LOGIN:-${CI_PROJECT_PATH:-pipeline}}"
    link="${CI_JOB_URL:-}"
  else
    actor="github:${GITHUB_ACTOR:-${GITHUB_REPOSITORY:-pipeline}}"
    link="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
  fi
  if [[ -n "$out" && -f "$out/summary.json" ]]; then summary="$(cat "$out/summary.json")"; fi
  if [[ -n "$out" && -f "$out/message.txt" ]]; then message="$(head -c 2000 "$out/message.txt")"; fi
  body="$(jq -n --arg kind "$kind" --arg outcome "$outcome" --arg actor "${actor:0:255}" \
    --arg link "$link" --argjson summary "$summary" --arg message "$message" \
    --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    '{kind: $kind, source: "pipeline", outcome: $outcome, actor: $actor, at: $at}
     + (if $link | test("^https?://") then {link: $link} else {} end)
     + (if $summary == null then {} else {summary: $summary} end)
     + (if $message == "" then {} else {message: $message} end)')"
  curl -fsS --max-time 30 -X POST \
    "${KLER_PORTAL_URL%/}/api/environments/v1/environments/$name/runs" \
    -H "Authorization: Bearer $KLER_ENVIRONMENTS_PIPELINE_TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$body" >/dev/null ||
    echo "The portal did not record the $kind of $name" >&2
}

command="${1:-}"
shift || true
case "$command" in
changed) cmd_changed "$@" ;;
init) cmd_init "$@" ;;
plan) cmd_plan "$@" ;;
guard) cmd_guard "$@" ;;
apply) cmd_apply "$@" ;;
comment) cmd_comment "$@" ;;
gitlab-report) cmd_gitlab_report "$@" ;;
report) cmd_report "$@" ;;
*) fail "unknown command '$command' (changed, init, plan, guard, apply, comment, gitlab-report, report)" ;;
esac
