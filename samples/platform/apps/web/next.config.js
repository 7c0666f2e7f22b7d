/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  swcMinify: true, // faster builds
  images: {
    remotePatterns: [{ protocol: 'https', hostname: 'cdn.zoptal.com' }],
  },
};

module.exports = nextConfig;
