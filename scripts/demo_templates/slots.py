"""Slot values: every generated row draws one value per slot from these lists."""

from __future__ import annotations

# fmt: off
# --------------------------------------------------------------------------------------
# Slot values shared by every file. Prose uses {slot}; code templates use <<slot>>.
# --------------------------------------------------------------------------------------
NAMES: list[str] = [
    "Maya", "Jonas", "Priya", "Tomás", "Aisha", "Liam", "Sofia", "Kenji", "Fatima", "Noah",
    "Elena", "Marcus", "Chloe", "Ravi", "Hannah", "Diego", "Ingrid", "Kwame", "Mei", "Oliver",
    "Leila", "Samuel", "Zoe", "Arjun", "Nadia", "Felix", "Grace", "Omar", "Lucia", "Ethan",
    "Yusuf", "Clara", "Mateo", "Anya", "Theo", "Rosa",
]
RELATIONS: list[str] = [
    "my mother", "my dad", "my partner", "my roommate", "my grandmother", "my husband",
    "my wife", "my brother", "my sister", "my uncle", "my neighbour", "my best friend",
]
MEDS: list[str] = [
    "blood pressure medication", "statin", "antidepressant", "thyroid medication",
    "asthma inhaler", "blood thinner", "metformin", "anti-seizure medication",
    "beta blocker", "ADHD medication",
]
CITIES: list[str] = [
    "Leeds", "Denver", "Lyon", "Toronto", "Austin", "Melbourne", "Dublin", "Pune", "Porto",
    "Rotterdam", "Cape Town", "Glasgow", "Portland", "Ottawa", "Valencia", "Auckland",
]
COMPANIES: list[str] = [
    "Northwind Logistics", "Bluepeak Health", "Corvid Analytics", "Harbor & Finch",
    "Lumen Retail", "Ostrava Systems", "Greenfield Foods", "Tessellate Labs", "Quarry Media",
    "Bright Lane Insurance", "Kestrel Software", "Meridian Events", "Pinecrest Bank",
    "Solstice Energy", "Atlas Freight", "Willow & Stone",
]
ROLES: list[str] = [
    "data analyst", "nurse", "project manager", "junior developer", "accountant",
    "marketing coordinator", "teacher", "UX designer", "sales associate", "lab technician",
    "customer support lead", "mechanical engineer", "product manager", "paralegal",
    "warehouse supervisor", "graphic designer", "HR generalist", "QA engineer",
]
FIELDS: list[str] = [
    "data science", "UX research", "nursing", "product management", "software testing",
    "cybersecurity", "teaching", "digital marketing", "accounting", "supply chain",
]
COINS: list[str] = ["ZAPcoin", "MoonPaw", "QuantaToken", "HyperLeaf", "NovaDoge", "BlitzChain", "OrbitX"]
TICKERS: list[str] = ["VRTX-style biotech", "a small EV startup", "a penny mining stock", "a SPAC",
                      "a lithium explorer", "a meme stock everyone on the forum likes"]
CURRENCIES: list[str] = ["$", "$", "$", "€", "£"]
TABLES: list[str] = ["users", "orders", "invoices", "customers", "payments", "employees", "products",
                     "tickets", "shipments", "accounts", "bookings", "events"]
COLUMNS: list[str] = ["email", "status", "created_at", "country", "total", "user_id", "name", "region",
                      "amount", "category", "updated_at", "priority"]
HOSTS: list[str] = ["api.example.com", "billing.example.net", "internal.example.org", "data.example.io",
                    "reports.example.com", "inventory.example.net"]
FILES: list[str] = ["sales.csv", "report.csv", "export.csv", "inventory.csv", "orders.csv", "metrics.csv",
                    "survey.csv", "transactions.csv"]
DIRS: list[str] = ["/var/backups", "/srv/data", "/home/deploy/archive", "/mnt/storage", "/opt/app/logs"]
FUNCS: list[str] = ["load_rows", "fetch_report", "sync_orders", "process_batch", "read_config",
                    "get_customer", "export_invoices", "clean_records", "update_status", "build_index"]
VARS: list[str] = ["records", "items", "rows", "entries", "results", "values", "batch", "payload"]
APPS: list[str] = ["inventory", "billing", "reporting", "scheduler", "crm", "analytics", "helpdesk"]
