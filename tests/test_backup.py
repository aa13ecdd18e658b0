"""Backup and restore (issue #8): the documented scripts, run for real on the demo.

The demo is loaded into this test's PostgreSQL database, ``scripts/backup.sh`` dumps it with its
media and PKI folders, ``scripts/restore.sh`` puts everything into a new database and new
folders, and every table's row count and every file's hash must match.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.test_infrastructure import clean_env

ROOT = Path(__file__).resolve().parent.parent


def _url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }


def _file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _run(script: str, *args: str, **env: str) -> str:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    admin_url = _url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _url(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_a_restored_demo_has_the_same_rows_and_files(transactional_db, fresh_database, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    media, pki = Path(settings.MEDIA_ROOT), Path(settings.PORTAL_PKI_DIR)
    source = _url(connection.settings_dict["NAME"])
    before = _row_counts(source)
    media_before, pki_before = _file_hashes(media), _file_hashes(pki)
    assert before["documents_document"] > 0
    assert any(name.endswith(".pdf") for name in media_before)  # the demo's issued documents
    assert "portal-signing.p12" in pki_before

    out = _run(
        "backup.sh",
        str(tmp_path / "backups"),
        DATABASE_URL=source,
        MEDIA_ROOT=str(media),
        PORTAL_PKI_DIR=str(pki),
    )
    backup = Path(out.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == [
        "MANIFEST",
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
        "pki.tar.gz",
    ]
    assert oct(backup.stat().st_mode & 0o777) == "0o700"  # it holds the signing key

    restored_media, restored_pki = tmp_path / "restored" / "media", tmp_path / "restored" / "pki"
    _run(
        "restore.sh",
        str(backup),
        DATABASE_URL=fresh_database,
        MEDIA_ROOT=str(restored_media),
        PORTAL_PKI_DIR=str(restored_pki),
    )
    assert _row_counts(fresh_database) == before
    assert _file_hashes(restored_media) == media_before
    assert _file_hashes(restored_pki) == pki_before


@pytest.mark.postgres
def test_a_damaged_backup_is_refused_before_anything_changes(
    transactional_db, fresh_database, tmp_path
):
    source = _url(connection.settings_dict["NAME"])
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    (media / "note.txt").write_text("tệp đính kèm", encoding="utf-8")
    out = _run(
        "backup.sh",
        str(tmp_path / "backups"),
        DATABASE_URL=source,
        MEDIA_ROOT=str(media),
        PORTAL_PKI_DIR=str(tmp_path / "no-pki"),
    )
    backup = Path(out.strip().splitlines()[-1])
    with (backup / "database.dump").open("ab") as dump:
        dump.write(b"damage")
    target_media = tmp_path / "target-media"
    target_media.mkdir()
    (target_media / "kept.txt").write_text("giữ nguyên", encoding="utf-8")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "restore.sh"), str(backup)],
        cwd=ROOT,
        env=clean_env(DATABASE_URL=fresh_database, MEDIA_ROOT=str(target_media)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    assert _row_counts(fresh_database) == {}
    assert os.listdir(target_media) == ["kept.txt"]


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "backup.sh"), str(tmp_path)],
        cwd=ROOT,
        env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "must be a PostgreSQL URL" in result.stderr
    assert list(tmp_path.iterdir()) == []
