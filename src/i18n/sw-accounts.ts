import type { enAccounts } from './en-accounts.ts'

/** Swahili messages of accounts added with issue 10. The type makes a missing key a compile error. */
export const swAccounts: Record<keyof typeof enAccounts, string> = {
  'manage.invitations.title': 'Mialiko ambayo bado haijakubaliwa',
  'manage.invitations.sent': 'Ilitumwa {when}',
  'manage.invitations.expires': 'Itaisha {when}',
  'manage.invitations.revoke': 'Futa mwaliko',
  'manage.invitations.revoked': 'Mwaliko umefutwa: kiungo chake hakifanyi kazi tena.',
  'manage.invitations.notFound': 'Mwaliko huo haupo wazi tena.',
  'manage.staff.pendingNoInvites': 'Akaunti yako ya mwandaaji inasubiri kuidhinishwa. Utaweza kualika mameneja na skana msimamizi wa jukwaa atakapokuidhinisha.',
  'form.organiserNameLink': 'Jina la mwandaaji haliwezi kuwa na anwani ya tovuti wala kiungo. Tumia jina ambalo watu wanakufahamu kwalo.',
  'account.phone.codeSentTo': 'Tumetuma msimbo wa tarakimu 6 kwa WhatsApp kwenda {phone}. Uandike hapa kuthibitisha nambari.',
}
