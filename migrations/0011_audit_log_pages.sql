-- The audit log pages list entries newest first: the super admin across every tenant (and by action),
-- a manager within one tenant (audit_log_tenant_idx already covers that).
create index audit_log_created_idx on audit_log (created_at desc, id desc);
create index audit_log_action_idx on audit_log (action, created_at desc);
