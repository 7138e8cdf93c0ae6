import { v7 } from 'uuid'

/** New primary key: a UUIDv7 (time-ordered, so indexes stay compact; never guessable or colliding across sites). */
export function newId(): string {
  return v7()
}
