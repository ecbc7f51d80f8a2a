-- 0028: the partition an account lives in (issue 16). AWS keeps each partition (aws, aws-cn,
-- aws-us-gov, aws-iso, aws-iso-b) apart: an account is signed up in one, its keys work only
-- there, and its ARNs name it. A standalone sign-up chooses it; an account an organization
-- creates is in the organization's. Every account so far is in aws.
ALTER TABLE accounts ADD COLUMN aws_partition TEXT NOT NULL DEFAULT 'aws';
