/** The body limit of every upload route: a larger body is refused with 413 before it is read. */
import { bodyLimit } from 'hono/body-limit'
import { DomainError } from '../lib/domain-errors.ts'
import { MAX_UPLOAD_BODY } from './uploads.ts'

export const uploadBodyLimit = bodyLimit({
  maxSize: MAX_UPLOAD_BODY,
  onError: () => {
    throw new DomainError(413, 'upload_too_large', 'upload.tooLarge', { mb: MAX_UPLOAD_BODY / 1024 / 1024 })
  },
})
