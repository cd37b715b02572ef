/*
 * Spec 004's example for revokeToken, as printed, its import path the only
 * change (see spec-004-issue-long-term-token.ts for the shape).
 */
import {
    AuthApi,
    Configuration
} from '../src/index.js';

export async function asPrinted(Configuration: new () => Configuration) {
const configuration = new Configuration();
const apiInstance = new AuthApi(configuration);

let tokenId: string; //The token ID to revoke (default to undefined)

const { status, data } = await apiInstance.revokeToken(
    // @ts-expect-error TS2454: the seed leaves the value to its reader.
    tokenId
);
}

export async function filledIn(Configuration: new () => Configuration, value: string) {
const configuration = new Configuration();
const apiInstance = new AuthApi(configuration);

let tokenId: string = value; //The token ID to revoke (default to undefined)

const { status, data } = await apiInstance.revokeToken(
    tokenId
);
}
