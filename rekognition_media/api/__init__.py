"""The Rekognition media-analysis API contract shared by the provider, emulator and policies.

Constraints come from botocore's service model (``shapes``); documented limits the model
does not carry are in ``limits``; the manifest and output formats are in ``manifest``.
"""
