"""Uploading many files at once (archivists) and the status of every upload."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from archive import Job
from common.errors import FindbuchError
from common.fields import DOCUMENT_TYPES, read_field_value
from ingest.batches import current_batches
from ingest.queue import new_batch, submit_job
from web.auth import archivist_required

upload = Blueprint("upload", __name__)
# Form field -> metadata field recorded as the uploader's correction.
UPLOAD_FIELDS = {"typ": "type", "herausgeber": "issuer", "datum": "date", "notiz": "note"}


def upload_files(files: list[FileStorage], form: dict[str, str], user: str) -> list[Job]:
    """Check the batch, keep every file in the inbox and queue it; shared by page and API.

    Raises:
        FindbuchError: no file, too many files, no queue, or unreadable metadata.
    """
    queue = current_app.config["FINDBUCH_QUEUE"]
    if queue is None:
        raise FindbuchError("Hochladen ist abgeschaltet: kein Auftragsdienst läuft.")
    files = [f for f in files if f.filename]
    if not files:
        raise FindbuchError("Bitte mindestens eine Datei auswählen.")
    limit = g.settings.max_upload_files
    if len(files) > limit:
        raise FindbuchError(f"Höchstens {limit} Dateien auf einmal; bitte aufteilen.")
    metadata = {}
    for param, name in UPLOAD_FIELDS.items():
        raw = form.get(param, "").strip()
        if raw:
            read_field_value(name, raw)  # refuse unreadable values before anything is stored
            metadata[name] = raw
    writer = g.writer()
    batch = new_batch()
    jobs = []
    for file in files:
        try:
            path = writer.archive.receive(file.stream, file.filename)
        finally:
            file.close()  # large uploads are spooled to a temporary file: close it once kept
        jobs.append(
            submit_job(
                writer.archive,
                queue,
                path=path,
                file_name=file.filename,
                metadata=metadata,
                user=user,
                batch=batch,
            )
        )
    return jobs


@upload.route("/hochladen", methods=["GET", "POST"])
@archivist_required
def upload_page() -> str | Response:
    """The upload form; files go to the queue and the request returns at once."""
    if request.method == "POST":
        try:
            jobs = upload_files(request.files.getlist("dateien"), request.form, current_user.name)
        except FindbuchError as e:
            flash(e.message, "error")
            return render_template("upload.html", type_labels=DOCUMENT_TYPES, form=request.form)
        flash(f"{len(jobs)} Datei(en) angenommen; die Aufnahme läuft im Hintergrund.", "info")
        return redirect(url_for("upload.jobs_page"))
    return render_template("upload.html", type_labels=DOCUMENT_TYPES, form={})


@upload.get("/auftraege")
@archivist_required
def jobs_page() -> str:
    """Every job: queued, processing (pages done), done (link) or failed (why), by batch."""
    catalog = g.home.archive.catalog
    jobs = catalog.jobs()
    batches = current_batches(catalog)
    running = any(not b.finished for b in batches)
    return render_template("jobs.html", jobs=jobs, batches=batches, running=running)


@upload.get("/auftraege/<job_id>")
@archivist_required
def job_page(job_id: str) -> Response:
    """A finished job leads to its document."""
    job = g.home.archive.catalog.job(job_id)
    if job is None:
        abort(404, "Diesen Auftrag gibt es nicht.")
    if job.doc_id:
        return redirect(url_for("documents.document_page", doc_id=job.doc_id))
    return redirect(url_for("upload.jobs_page"))
