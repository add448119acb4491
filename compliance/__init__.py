"""``rekognition-media policy-check``: the policy pack's findings as files CI tools read.

Runs ``pulumi preview`` of a stack with the pack through the Automation API, joins every
policy event to the line of the program that declared the resource, and writes SARIF
2.1.0 (GitHub code scanning), JUnit XML (GitLab, Jenkins, Azure DevOps), JSON and a
terminal table.

Modules, in the order a run uses them: ``cli`` (arguments, exit codes), ``rules`` (the
pack's policies and the controls they enforce, read from the policy objects),
``preview`` (the preview, its policy events and each resource's recorded source
position), ``locations`` (from a recorded position to the user's file and line),
``findings`` (the joined records), then the outputs ``sarif``, ``junit``, ``report``
(JSON) and ``table``.
"""
