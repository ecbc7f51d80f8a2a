// Validates CloudFormation templates (the ones `orgtwin export --format cloudformation` writes):
//   node validate_templates.cjs TEMPLATE...
// prints each template's findings and exits 1 if any template has a critical one (or cannot be
// read), 0 when all are valid.
//
// The validator is cfn-lint from npm: it checks the template's sections, every resource's
// properties against the CloudFormation resource specification (names, required ones, types of
// values, list item types), intrinsic functions (Ref, Fn::GetAtt and the attributes each type
// has, Fn::Sub variables) and parameters. Its last release bundles a specification from 2019
// that predates AWS::Organizations::* and later IAM properties (a role's Description), so the
// specification of @aws-cdk/cfnspec (AWS's CloudFormation resource specification, as the AWS CDK
// shipped it) is loaded over it before validating: the same checks, on current resource types.
'use strict';

const awsData = require('cfn-lint/lib/awsData');
const newer = require('@aws-cdk/cfnspec/spec/specification.json');

Object.assign(awsData.awsResources.ResourceTypes, newer.ResourceTypes);
Object.assign(awsData.awsResources.PropertyTypes, newer.PropertyTypes);

const validator = require('cfn-lint/lib/validator');

const templates = process.argv.slice(2);
if (templates.length === 0) {
  console.error('usage: node validate_templates.cjs TEMPLATE...');
  process.exit(2);
}
let failed = false;
for (const template of templates) {
  validator.resetValidator();
  let result;
  try {
    // Parameters (the root's ID, accounts not known when exporting) are given mock values of
    // their type, as cfn-lint does by default.
    result = validator.validateFile(template, {});
  } catch (error) {
    console.log(`${template}: cannot be validated: ${error.stack || error}`);
    failed = true;
    continue;
  }
  const { crit, warn, info } = result.errors;
  for (const [level, findings] of [['crit', crit], ['warn', warn], ['info', info]]) {
    for (const finding of findings) {
      console.log(`${template}: ${level}: ${finding.resource}: ${finding.message}`);
    }
  }
  if (!result.templateValid || crit.length > 0) failed = true;
  console.log(`${template}: ${result.templateValid && crit.length === 0 ? 'valid' : 'INVALID'} ` +
              `(${crit.length} critical, ${warn.length} warnings, ${info.length} infos)`);
}
process.exit(failed ? 1 : 0);
