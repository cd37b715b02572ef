import type { AutomationTokenRecord } from "../../store/records.js";
import type { CoreContext } from "../context.js";
import { TesseraError } from "../errors.js";
import type { AutomationCaller } from "./authenticate.js";

export const MAX_TOKEN_LIST = 500;

/** The caller's client's tokens, newest first: live ones, or all with `includeEnded`. */
export async function listAutomationTokens(
  ctx: Pick<CoreContext, "store" | "clock">,
  input: {
    readonly caller: AutomationCaller;
    readonly includeEnded?: boolean;
    readonly limit?: number;
  },
): Promise<AutomationTokenRecord[]> {
  const limit = input.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOKEN_LIST) {
    throw new TesseraError("invalid_request", `limit must be from 1 to ${MAX_TOKEN_LIST}`);
  }
  return ctx.store.automationTokens.listForClient(input.caller.client.id, {
    includeEnded: input.includeEnded === true,
    now: ctx.clock.now(),
    limit,
  });
}
