"""The baseline: a bare Flask app answering the same 302, with no token, query or write."""

from flask import Flask, redirect

app = Flask(__name__)
DESTINATION = (
    "https://case.example/c/demo?utm_source=facebook&utm_medium=social&utm_campaign=demo"
    "&utm_content=0123456789abcdef&ref=1.0123456789abcdef"
)


@app.get("/s/<token>")
def follow(token: str):
    return redirect(DESTINATION, 302)
