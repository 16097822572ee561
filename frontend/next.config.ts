import type { NextConfig } from "next";

// /api/* is forwarded to NEOSYNC_API_URL by src/middleware.ts, at request
// time, so the same build works against any API.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
