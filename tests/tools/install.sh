#!/usr/bin/env bash
# What `make test` needs beyond PyPI, installed when it is missing: Debian's packages (as root, with
# apt-get) and pinned npm packages (git-ignored, never from a CDN). Where it cannot install them, it
# stops before any test runs, with one line naming what to install. Nothing a sheet needs is here:
# these are the tests' own tools (TeX Live for the .tex, poppler to read PDFs, Chromium and the hosts'
# sanitizers for the browser tests, npm for MathJax and axe-core).
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(texlive-latex-base texlive-latex-recommended texlive-latex-extra latexmk lmodern poppler-utils
          chromium fonts-dejavu-core ruby-sanitize php-cli php-htmlpurifier)
commands=(pdflatex pdftotext pdftoppm pdfinfo chromium ruby php)

missing=()
if command -v dpkg >/dev/null; then
  for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
else
  for name in "${commands[@]}"; do
    command -v "$name" >/dev/null || missing+=("$name")
  done
fi
# Debian's npm only where no npm is on the PATH: a nodejs package that ships its own conflicts with it
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "make test: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "make test: the tests need ${missing[*]}; install them (as root on Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

# MathJax for the Moodle and MkDocs pages of tests/render/hosts/; axe-core for test_accessibility.py;
# scorm-again, a SCORM 1.2 runtime standing in for an LMS, for tests/render/test_practice_scorm.py
npm_install() {  # folder, package@version, a file the package holds
  [ -f "$1/node_modules/$3" ] && return
  echo "make test: installing $2 (npm) into $1"
  npm install --prefix "$1" --no-save --no-audit --no-fund --silent "$2"
}
npm_install tests/render/hosts mathjax@3.2.2 mathjax/es5/tex-chtml.js
npm_install .ci/axe axe-core@4.14.1 axe-core/axe.min.js
npm_install .ci/scorm scorm-again@3.4.3 scorm-again/dist/scorm12.js
