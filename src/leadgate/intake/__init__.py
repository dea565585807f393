"""Lead intake: supplier files (CSV in whatever dialect and encoding Excel produced, XLSX) read through a
column mapping, validated row by row, normalised, matched against known persons and customers and stored
in one transaction with their proof; rejected rows go back to the supplier with row, field and reason.
Also owns the data sources (supplier, source code, how and for what purpose the data was collected)."""
