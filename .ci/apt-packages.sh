# Debian packages the test suite needs (read by .ci/run).
APT_PACKAGES=(
  # WebGPU on a software adapter (tests/engine/backends-webgpu.test.ts): Dawn's OpenGL ES backend over EGL's
  # surfaceless platform on Mesa's llvmpipe. libegl1 pulls in libegl-mesa0; llvmpipe itself is in libgl1-mesa-dri.
  libegl1
  libegl-mesa0
  libgl1-mesa-dri
  # The studio's end-to-end tests (tests/e2e/, Playwright) run in Debian's Chromium: no browser is downloaded.
  chromium
  # Real Fashion-MNIST as IDX gzip files in /usr/share/datasets/fashion-mnist: tests/datasets/pixel-formats.test.ts
  # imports it (IDX importer, CLI, API), checks that the fashion-cnn preset trains on it and trains a subset.
  dataset-fashion-mnist
  # A CJK font, so the Simplified Chinese screens render real glyphs in the e2e screenshots.
  fonts-wqy-zenhei
  # Scale-out (tests/scale-out/): the tests start their own redis-server on a free loopback port (no persistence, a
  # temp folder; the package's own service is not used), and openssl makes a throwaway CA for the rediss:// case.
  redis-server
  openssl
)
