"""Media on shared storage (issue 13, part 5): with an S3-compatible bucket as the default
storage, uploads and their renditions go to the bucket, not to MEDIA_ROOT, and pages link the
bucket's copies. Tested against moto's standalone S3 server, started on a free port."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from images.renditions import refresh_photo_renditions
from tests.factories import ReviewerFactory, image_file
from tests.servers import fetch, free_port, wait_until

pytestmark = pytest.mark.django_db

BUCKET = "healthsite-media"


@pytest.fixture(scope="module")
def s3_server():
    binary = Path(sys.executable).parent / "moto_server"
    if not binary.exists():
        pytest.skip("moto_server is missing: pip install -r requirements-dev.txt (moto[server])")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: fetch(f"{url}/")[0] == 200, what="moto_server")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    # Readers fetch images straight from the bucket (or a CDN in front of it).
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_uploads_and_renditions_go_to_the_bucket_and_pages_link_them(
    bucket, client, settings, s3_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviewer = ReviewerFactory(photo=image_file("photo.jpg", size=(400, 400)))
        refresh_photo_renditions(reviewer=reviewer)  # as the admin and the importer do
    keys = {item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert reviewer.photo.name in keys
    assert len(keys) > 1, f"renditions are stored next to the photo: {keys}"
    media_root = Path(settings.MEDIA_ROOT)
    assert not media_root.exists() or not any(media_root.rglob("*.*")), "nothing in MEDIA_ROOT"

    page = client.get(reviewer.get_absolute_url()).content.decode()
    linked = [key for key in keys if f"{s3_server}/{BUCKET}/{key}" in page]
    assert linked, "the profile shows the bucket's copies"
    with urllib.request.urlopen(f"{s3_server}/{BUCKET}/{linked[0]}", timeout=5) as image:  # noqa: S310
        assert image.status == 200
        assert image.headers["Content-Type"].startswith("image/")


def test_the_bucket_is_chosen_from_the_environment(tmp_path):
    from tests.servers import production_env, shell

    env = production_env(
        tmp_path,
        HEALTHSITE_MEDIA_BUCKET="health-media",
        HEALTHSITE_MEDIA_DOMAIN="media.health.example.org",
        HEALTHSITE_MEDIA_ORIGINS="https://media.health.example.org",
    )
    printed = shell(
        env,
        "from django.conf import settings; from django.core.files.storage import default_storage;"
        "print(type(default_storage._wrapped if hasattr(default_storage, '_wrapped') else 0));"
        "print(settings.STORAGES['default']['OPTIONS']['bucket_name']);"
        "print(default_storage.url('reviewers/a.jpg'));"
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
    )
    assert "health-media" in printed
    assert "https://media.health.example.org/reviewers/a.jpg" in printed
    assert "'https://media.health.example.org'" in printed
