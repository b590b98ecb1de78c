/**
 * /media/{id}: uploaded files. Posters are public; ticket templates only for their tenant's staff.
 * Ids are random UUIDs and files never change, so public ones are cached for a year.
 */
import { z } from 'zod'
import { withUserContext } from '../accounts/current-user.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'

export const mediaRoutes = factory.createApp()

mediaRoutes.get('/media/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  const blob = await withUserContext(c, (trx) => c.var.services.blobStore.get(trx, id.data))
  if (!blob) throw new NotFoundError()
  const etag = `"${blob.sha256.slice(0, 32)}"`
  c.header('ETag', etag)
  c.header('Cache-Control', blob.isPublic ? 'public, max-age=31536000, immutable' : 'private, no-store')
  const asked = (c.req.header('if-none-match') ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''))
  if (asked.includes(etag) || asked.includes('*')) return c.body(null, 304)
  c.header('Content-Type', blob.contentType)
  c.header('Content-Disposition', 'inline')
  return c.body(blob.bytes)
})
