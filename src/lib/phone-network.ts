/**
 * Which Kenyan mobile network a number belongs to, by its prefix (the Communications Authority's
 * allocations; numbers keep their prefix when ported, so this is the network that issued the number).
 */
export type PhoneNetwork = 'safaricom' | 'airtel' | 'telkom' | 'other'

const SAFARICOM = [[701, 729], [740, 746], [748, 748], [757, 759], [768, 769], [790, 799], [110, 115]] as const
const AIRTEL = [[730, 739], [750, 756], [762, 762], [780, 789], [100, 102]] as const
const TELKOM = [[770, 779]] as const

function inRanges(prefix: number, ranges: readonly (readonly [number, number])[]): boolean {
  return ranges.some(([low, high]) => prefix >= low && prefix <= high)
}

/** 2547XXXXXXXX / 2541XXXXXXXX → its network; anything else is "other". */
export function phoneNetwork(phone: string | null | undefined): PhoneNetwork {
  if (!phone || !/^254[17]\d{8}$/.test(phone)) return 'other'
  const prefix = Number(phone.slice(3, 6))
  if (inRanges(prefix, SAFARICOM)) return 'safaricom'
  if (inRanges(prefix, AIRTEL)) return 'airtel'
  if (inRanges(prefix, TELKOM)) return 'telkom'
  return 'other'
}
