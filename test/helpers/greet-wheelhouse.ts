import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `greet`, a dependency the pip fixtures install from the team's wheelhouse: an sdist whose build
 * backend needs the standard library only (no network), which pip builds into a wheel once and
 * keeps in its cache.
 */
const GREET_BACKEND = `"""A build backend of the standard library only: greet.py in a wheel."""
import os
import zipfile


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = "greet-1.0-py3-none-any.whl"
    info = "greet-1.0.dist-info/"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as wheel:
        wheel.write("greet.py", "greet.py")
        wheel.writestr(info + "METADATA", "Metadata-Version: 2.1\\nName: greet\\nVersion: 1.0\\n")
        wheel.writestr(info + "WHEEL", "Wheel-Version: 1.0\\nGenerator: backend\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        wheel.writestr(info + "RECORD", "")
    return filename
`;

const GREET: Readonly<Record<string, string>> = {
  'pyproject.toml':
    '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n[project]\nname = "greet"\nversion = "1.0"\n',
  'PKG-INFO': 'Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n',
  'backend.py': GREET_BACKEND,
  'greet.py': 'def hello():\n    return "hello"\n',
};

/** The Python the fixtures' installs run (`python3` on the PATH, resolved once). */
export const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).trim();

/** The wheelhouse under `dir`: greet's sdist, laid out as `python -m build --sdist` would. */
export async function greetWheelhouse(dir: string): Promise<string> {
  const source = join(dir, 'greet-src', 'greet-1.0');
  await mkdir(source, { recursive: true });
  for (const [name, text] of Object.entries(GREET)) await writeFile(join(source, name), text);
  const house = join(dir, 'wheelhouse');
  await mkdir(house);
  execFileSync('tar', ['-czf', join(house, 'greet-1.0.tar.gz'), '-C', join(dir, 'greet-src'), 'greet-1.0']);
  return house;
}
