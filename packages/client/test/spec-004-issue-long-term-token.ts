/*
 * Spec 004's example for issueLongTermToken, as printed, its import path
 * the only change: the body of each function below is the seed's code.
 * `Configuration` is a parameter standing for a configured subclass, since
 * the seed's `new Configuration()` sets no base path or credentials.
 * The seed leaves `longTokenRequest` for its reader to fill in: `asPrinted`
 * keeps it unassigned (which `tsc --strict` refuses, TS2454: hence the one
 * comment added), `filledIn` gives it a value on its own line.
 */
import {
    AuthApi,
    Configuration,
    LongTokenRequest
} from '../src/index.js';

export async function asPrinted(Configuration: new () => Configuration) {
const configuration = new Configuration();
const apiInstance = new AuthApi(configuration);

let longTokenRequest: LongTokenRequest; //

const { status, data } = await apiInstance.issueLongTermToken(
    // @ts-expect-error TS2454: the seed leaves the value to its reader.
    longTokenRequest
);
}

export async function filledIn(Configuration: new () => Configuration, value: LongTokenRequest) {
const configuration = new Configuration();
const apiInstance = new AuthApi(configuration);

let longTokenRequest: LongTokenRequest = value; //

const { status, data } = await apiInstance.issueLongTermToken(
    longTokenRequest
);
}
