# What a saved plan does, from `terraform show -json <plan>`: counts by action
# and by resource type, and the outputs that change; the same counts as the
# portal's kler:terraform:plan (summarizePlan) and the run history's summary.
def counts: reduce .[] as $c ({add: 0, change: 0, destroy: 0, replace: 0}; .[$c.action] += 1);
([.resource_changes[]? | select(.mode == "managed")
  | {type, action: (.change.actions
      | if index("delete") and index("create") then "replace"
        elif index("delete") then "destroy"
        elif index("create") then "add"
        elif index("update") then "change"
        else empty end)}]
  | (counts) + {byType: (group_by(.type) | map({(.[0].type): counts}) | add // {})})
+ {outputChanges: ([.output_changes // {} | .[] | select((.actions // []) | all(. == "no-op") | not)] | length)}
