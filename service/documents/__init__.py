"""Contract documents: templates, sandboxed rendering, PDFs, storage, the sealed final PDF and its verification.

A library without database tables; the contract models call it. The entry points, by module:

- ``catalogue``: ``list_templates()``, ``load_template(key, version=None)`` -> ``ContractTemplate``;
  ``template_from_files(files, origin="tenant")`` rebuilds a stored tenant version.
- ``tenant_templates``: ``validate_tenant_template(files)`` checks a tenant's version before it is stored;
  ``stored_tenant_template(files, version)`` rebuilds a stored one.
- ``uploads``: ``files_from_zip``, ``files_from_form``: an uploaded template (a .zip or its files), within limits.
- ``rendering``: ``render_preview_html``, ``render_contract_html``, ``render_contract_pdf`` -> ``RenderedPdf``.
- ``storage``: ``storage_from_config(config)`` -> a backend whose ``put``/``get`` record and check SHA-256.
- ``final``: ``seal_final_document(FinalDocument, identity)`` (contract + signature page + audit certificate).
- ``sealing``: ``seal_identity_from_config(config)``, ``seal_pdf``, ``verify_pdf`` -> ``VerificationResult``.

Heavy libraries (WeasyPrint, pyHanko, boto3) are imported where they are used, not here, so importing the
package costs the web process nothing.
"""
