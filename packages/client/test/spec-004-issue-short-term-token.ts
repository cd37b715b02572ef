/*
 * Spec 004's example for issueShortTermToken, as printed, its import path
 * the only change (see spec-004-issue-long-term-token.ts for the shape).
 */
import {
    AuthApi,
    Configuration,
    ShortTokenRequest
} from '../src/index.js';

export async function asPrinted(Configuration: new () => Configuration) {
const configuration = new Configuration();
const apiInstance = new AuthApi(configuration);

let shortTokenRequest: ShortTokenRequest; // (optional)

const { status, data } = await apiInstance.issueShortTermToken(
    // @ts-expect-error TS2454: the seed leaves the value to its reader.
    shortTokenRequest
);
}

export async function filledIn(Configuration: new () => Configuration, value: ShortTokenRequest) {
const configuration = new Configuration();
const apiInstance = new AuthApi(configuration);

let shortTokenRequest: ShortTokenRequest = value; // (optional)

const { status, data } = await apiInstance.issueShortTermToken(
    shortTokenRequest
);
}
