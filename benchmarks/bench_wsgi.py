"""The real app plus two bare endpoints, served by the same gunicorn workers and settings.

``/bench/hello`` returns a constant (the ceiling of the server stack); ``/bench/upsert`` does
the one statement a save needs (an answer upsert keeping the higher seq) with nothing around it.
The app's own save endpoint is measured against them.
"""
from __future__ import annotations

from flask import Flask, jsonify, request
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from training_app import create_app
from training_app.extensions import db
from training_app.models import Answer, utcnow

real_app = create_app()
with real_app.app_context():
    engine = db.engine
insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
bare = Flask("bare")


@bare.get("/hello")
def hello():
    return "hello"


@bare.post("/upsert")
def upsert():
    data = request.get_json()
    statement = insert(Answer.__table__).values(
        attempt_id=data["attempt_id"], question_id=data["question_id"],
        response=data["response"], seq=data["seq"], saved_at=utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=["attempt_id", "question_id"],
        set_={"response": statement.excluded.response, "seq": statement.excluded.seq,
              "saved_at": statement.excluded.saved_at},
        where=Answer.__table__.c.seq < statement.excluded.seq)
    with engine.begin() as connection:
        connection.execute(statement)
    return jsonify(ok=True)


app = DispatcherMiddleware(real_app, {"/bench": bare})
