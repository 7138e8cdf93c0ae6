import { eq, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { users } = schema

export type UserRow = typeof users.$inferSelect

export interface NewUser {
  id: string
  email: string
  name: string
  passwordHash: string
  isNetworkAdmin: boolean
}

export async function insertUser(tx: Tx, input: NewUser): Promise<UserRow> {
  const [row] = await tx.insert(users).values(input).returning()
  if (!row) throw new TypeError('insert into users returned no row')
  return row
}

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  const [row] = await tx
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1)
  return row
}
