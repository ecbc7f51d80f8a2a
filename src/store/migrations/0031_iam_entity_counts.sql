-- 0031: accounts.iam_user_count and accounts.iam_role_count, the numbers of iam_users and
-- iam_roles rows of the account, kept by repo/iam_repository.h (InsertUser, DeleteUser,
-- InsertRole, DeleteRole) in the same transaction as the rows. CreateUser and CreateRole check
-- the quota (5,000 users, 1,000 roles) on every call: counting the account's rows each time cost
-- time linear in their number (at 800 roles, a COUNT(*) over the name index was ~40% of a
-- CreateRole), as 0012 found for an organization's members.
ALTER TABLE accounts ADD COLUMN iam_user_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN iam_role_count BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET
  iam_user_count = (SELECT COUNT(*) FROM iam_users WHERE iam_users.account_id = accounts.account_id),
  iam_role_count = (SELECT COUNT(*) FROM iam_roles WHERE iam_roles.account_id = accounts.account_id);
