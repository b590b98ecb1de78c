/** English messages of accounts added with issue 10: pending staff invitations and phone confirmation. */
export const enAccounts = {
  'manage.invitations.title': 'Invitations not accepted yet',
  'manage.invitations.sent': 'Sent {when}',
  'manage.invitations.expires': 'Expires {when}',
  'manage.invitations.revoke': 'Withdraw invitation',
  'manage.invitations.revoked': 'The invitation was withdrawn: its link no longer works.',
  'manage.invitations.notFound': 'That invitation is no longer open.',
  'account.phone.codeSentTo': 'We sent a 6-digit code on WhatsApp to {phone}. Type it here to confirm the number.',
} as const
