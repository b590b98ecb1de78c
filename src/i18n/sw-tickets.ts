import type { enTickets } from './en-tickets.ts'

/** Swahili messages of inventory limits. The type makes a missing key a compile error. */
export const swTickets: Record<keyof typeof enTickets, string> = {
  'upload.notDecodable': 'Picha hiyo haisomeki: faili imeharibika au si PNG, JPEG wala WebP halisi. Ihifadhi upya kisha upakie faili mpya.',
  'reserve.weakKey': 'Idempotency-Key lazima iwe ufunguo wa nasibu wa angalau biti 128 kutoka kwa jenereta ya kriptografia: herufi 22 hadi 200 za base64url (A-Z, a-z, 0-9, - na _), tarakimu 32 hadi 200 za heksadesimali, au UUID ya toleo la 4. Funguo zenye mpangilio hukataliwa: UUID za matoleo mengine, mfuatano kama abcdef, kipande kinachojirudia, au maneno na namba kama order-2026-000001.',
  'reserve.tooManyHolds': 'Tayari umeshikilia tiketi za tukio hili katika nafasi {count} ambazo hazijalipiwa. Lipia moja au acha moja iishe muda kabla ya kushikilia zaidi.',
  'reserve.tooManyPhoneHolds': 'Nambari hii ya simu tayari inalipia nafasi {count} za tukio hili. Maliza au ghairi moja ya malipo hayo kwanza.',
  'events.pendingNoInventory': 'Akaunti yako ya mwandaaji inasubiri kuidhinishwa. Unaweza kuandaa rasimu za matukio, lakini aina za tiketi na kuchapisha vitafunguka msimamizi wa jukwaa atakapokuidhinisha.',
  'events.overPlatformMax': 'Tukio linaweza kuwa na tiketi zisizozidi {max} kwenye jukwaa hili: zinaweza kuongezwa {left} zaidi.',
}
