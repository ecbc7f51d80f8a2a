#!/usr/bin/env bash
# A tour of the twin with the AWS CLI (`make demo` is the rehearsal now): start orgtwin on its
# embedded SQLite default, talk to it with the real AWS CLI v2, show what happened, stop it.
# Usage: scripts/demo-cli.sh path/to/orgtwin
set -euo pipefail
bin=${1:-build/release/src/cli/orgtwin}
data=$(mktemp -d /tmp/orgtwin-demo-XXXXXX)
log="$data/server.log"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" || printf '(exit code %d)\n' "$?"; }

say "Starting orgtwin serve (data in $data)"
"$bin" serve --listen 127.0.0.1:0 --data "$data" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  grep -q "listening on" "$log" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.05  # poll for the "listening on" line, 10 s deadline
done
endpoint=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1)
cat "$log"

export AWS_SHARED_CREDENTIALS_FILE="$data/credentials" AWS_CONFIG_FILE="$data/config"
export AWS_PROFILE=orgtwin AWS_PAGER="" AWS_MAX_ATTEMPTS=1
aws=/usr/bin/aws

say "Who am I? The default account's root user, from the credentials file orgtwin wrote"
run "$aws" --endpoint-url "$endpoint" sts get-caller-identity

say "A request signed with the wrong secret is rejected, exactly as AWS does"
env -u AWS_PROFILE AWS_ACCESS_KEY_ID=$(awk '/aws_access_key_id/ {print $3}' "$data/credentials") \
  AWS_SECRET_ACCESS_KEY=wrongwrongwrongwrongwrongwrongwrongwrong AWS_DEFAULT_REGION=us-east-1 \
  "$aws" --endpoint-url "$endpoint" sts get-caller-identity || printf "(exit code %d)\n" "$?"

say "An unknown access key"
env -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
  AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY AWS_DEFAULT_REGION=us-east-1 \
  "$aws" --endpoint-url "$endpoint" sts get-caller-identity || printf "(exit code %d)\n" "$?"

say "Input validated against the AWS model: an IAM role name with a space"
run "$aws" --endpoint-url "$endpoint" iam get-role --role-name "bad name"

say "The seed's payer account: an organization with an OU for the customer's accounts"
run "$aws" --endpoint-url "$endpoint" organizations create-organization --feature-set ALL \
  --query 'Organization.[Id,MasterAccountId,FeatureSet]' --output text
root=$("$aws" --endpoint-url "$endpoint" organizations list-roots --query 'Roots[0].Id' --output text)
run "$aws" --endpoint-url "$endpoint" organizations create-organizational-unit --parent-id "$root" \
  --name Customer --query 'OrganizationalUnit.[Id,Name]' --output text

say "Part I, steps 6-7: the customer SOC role and the partner billing role in the payer"
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}'
"$aws" --endpoint-url "$endpoint" iam create-role --role-name CustomerSOC \
  --assume-role-policy-document "$trust" --query Role.Arn --output text
for policy in AWSOrganizationsFullAccess AmazonS3FullAccess AWSCloudTrail_FullAccess \
              CloudWatchFullAccess AWSCloudFormationFullAccess; do
  "$aws" --endpoint-url "$endpoint" iam attach-role-policy --role-name CustomerSOC \
    --policy-arn "arn:aws:iam::aws:policy/$policy"
done
"$aws" --endpoint-url "$endpoint" iam create-role --role-name PartnerBilling \
  --assume-role-policy-document "$trust" --query Role.Arn --output text
"$aws" --endpoint-url "$endpoint" iam attach-role-policy --role-name PartnerBilling \
  --policy-arn arn:aws:iam::aws:policy/job-function/Billing

say "Part II, step 2: the SOC role has no billing access; the partner role has nothing else"
for role in CustomerSOC PartnerBilling; do
  printf '%s:\n' "$role"
  "$aws" --endpoint-url "$endpoint" iam simulate-principal-policy \
    --policy-source-arn "arn:aws:iam::123456789012:role/$role" \
    --action-names aws-portal:ViewBilling invoicing:GetInvoicePDF s3:GetObject iam:CreateRole \
      organizations:RemoveAccountFromOrganization \
    --query 'EvaluationResults[].[EvalActionName,EvalDecision]' --output text
done

echo "Note the seed's gap: the SOC role may remove accounts from the organization"
echo "(organizations:* in AWSOrganizationsFullAccess); AWS-FACTS section 9 lists more."

say "Health"
run curl -s "$endpoint/_orgtwin/health"
echo

say "Stopping orgtwin (SIGTERM: in-flight requests finish, the store closes cleanly)"
kill -TERM "$pid"
wait "$pid" && echo "orgtwin exited cleanly"
