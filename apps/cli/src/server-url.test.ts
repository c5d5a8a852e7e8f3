import { describe, expect, it } from "vitest";
import { defaultUrl, localServerUrl } from "./cli.ts";

describe("the server the CLI calls when API_URL is not set", () => {
  it("is the one `npm start` serves with the same HOST and PORT (from the environment or .env)", () => {
    expect(localServerUrl({})).toBe(defaultUrl);
    expect(localServerUrl({ PORT: "8123" })).toBe("http://127.0.0.1:8123");
    expect(localServerUrl({ HOST: "0.0.0.0", PORT: "9000" })).toBe("http://127.0.0.1:9000");
    expect(localServerUrl({ HOST: "::1" })).toBe("http://[::1]:8000");
    expect(localServerUrl({ HOST: "api.internal", PORT: "80" })).toBe("http://api.internal:80");
  });
});
