// The example of docs/api.md, type-checked by the build against the types it generates from
// openapi.yaml with openapi-typescript's default options: a natural call must compile as written.
import createClient from "openapi-fetch";
import type { components, paths } from "../../../target/typescript/coffer-api";

type Transfer = components["schemas"]["Transfer"];

export async function payInvoice(baseUrl: string, email: string, password: string): Promise<Transfer> {
  const coffer = createClient<paths>({ baseUrl });
  const { data: session } = await coffer.POST("/v1/sessions", { body: { email, password } });
  if (!session) throw new Error("log-in refused");
  const auth = { Authorization: `Bearer ${session.token}` };

  // overdraftLimit, pending and expiresInSeconds may be left out: the service applies their defaults.
  const { data: from } = await coffer.POST("/v1/accounts", { headers: auth, body: { currency: "EUR" } });
  const { data: to } = await coffer.POST("/v1/accounts", { headers: auth, body: { currency: "EUR", name: "Bills" } });
  if (!from || !to) throw new Error("could not open the accounts");

  await coffer.POST("/v1/deposits", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    headers: auth,
    body: { accountId: from.id, amount: 10_000 },
  });
  const { data, error, response } = await coffer.POST("/v1/transfers", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    headers: auth,
    body: { fromAccountId: from.id, toAccountId: to.id, amount: 2_500, metadata: { invoice: "A-1042" } },
  });
  if (error) throw new Error(`${response.status} ${error.code}: ${error.detail ?? error.title}`);

  // A later read sees the write on any instance when it sends the write's Consistency-Token.
  const token = response.headers.get("Consistency-Token") ?? undefined;
  const { data: page } = await coffer.GET("/v1/accounts/{id}/entries", {
    params: { path: { id: from.id }, query: { limit: 10 }, header: { "Consistency-Token": token } },
    headers: auth,
  });
  const balance: number | undefined = page?.data[0]?.balanceAfter;
  console.log(`paid ${data.amount} ${data.currency}; balance after: ${balance}`);
  return data;
}
