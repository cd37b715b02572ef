import { BASE_PATH, type Configuration } from "./configuration.js";
import type { ApiResponse } from "./errors.js";
import { type Call, type RequestOptions, send } from "./transport.js";

/**
 * What every API class shares, as the generated client's `BaseAPI` has it:
 * `new AuthApi(configuration?, basePath?)`. The configuration's `basePath`
 * wins over the constructor's, and is read on every call, so changing it on
 * the configuration moves every API built on it.
 *
 * @example
 * class HealthApi extends BaseAPI {}
 * const api = new HealthApi(new Configuration({ basePath: "https://auth.example.com" }));
 */
export class BaseAPI {
  protected readonly configuration: Configuration | undefined;
  protected readonly basePath: string;

  constructor(configuration?: Configuration, basePath: string = BASE_PATH) {
    this.configuration = configuration;
    this.basePath = basePath;
  }

  /** Sends one call through the shared transport. */
  protected send<T>(call: Call, options: RequestOptions | undefined): Promise<ApiResponse<T>> {
    return send<T>(this.configuration, this.basePath, call, options);
  }
}
