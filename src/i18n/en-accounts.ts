/**
 * English messages of accounts added with issue 10: pending staff invitations and phone confirmation;
 * then the limits on invitations and on organiser names found by the security probe.
 */
export const enAccounts = {
  'manage.invitations.title': 'Invitations not accepted yet',
  'manage.invitations.sent': 'Sent {when}',
  'manage.invitations.expires': 'Expires {when}',
  'manage.invitations.revoke': 'Withdraw invitation',
  'manage.invitations.revoked': 'The invitation was withdrawn: its link no longer works.',
  'manage.invitations.notFound': 'That invitation is no longer open.',
  'account.phone.codeSentTo': 'We sent a 6-digit code on WhatsApp to {phone}. Type it here to confirm the number.',
  'manage.staff.pendingNoInvites': 'Your organiser account is waiting for approval. You can invite managers and scanners once a platform admin approves you.',
  'form.organiserNameLink': 'An organiser name cannot contain a web address or a link. Use the name people know you by.',
} as const
