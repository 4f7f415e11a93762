-- personal_values: invariant 5, every contact name, e-mail address and phone number.
-- Parameters: none. Reads: private.contacts.
SELECT contact_name, contact_email, contact_phone FROM private.contacts
