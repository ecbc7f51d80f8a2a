-- 0008: Organizations core (accounts, OUs, closure). When an account was closed with
-- CloseAccount: the closure quota counts the closures of an organization in a rolling 30 days.
ALTER TABLE accounts ADD COLUMN closed_at DOUBLE PRECISION;
-- CreateAccount's IamUserAccessToBilling (1 = ALLOW, the default; 0 = DENY).
ALTER TABLE accounts ADD COLUMN iam_user_access_to_billing BIGINT NOT NULL DEFAULT 1;
