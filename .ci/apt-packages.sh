# Debian packages the test suite needs (read by .ci/run; later issues add chromium).
APT_PACKAGES=(
  # WebGPU on a software adapter (tests/engine/backends-webgpu.test.ts): Dawn's OpenGL ES backend over EGL's
  # surfaceless platform on Mesa's llvmpipe. libegl1 pulls in libegl-mesa0; llvmpipe itself is in libgl1-mesa-dri.
  libegl1
  libegl-mesa0
  libgl1-mesa-dri
)
