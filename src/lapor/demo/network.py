"""The demo city on top of the real network (``agencies.reference``): Kota Padang Panjang (West
Sumatra) in depth: its departments, both districts, all villages and its health centres, and the
routing rules that send each topic to one of its departments.

Names of Padang Panjang's departments follow the usual Permendagri nomenclature; a real
deployment loads its own organisation chart through the admin or the API.
"""

from __future__ import annotations

# re-exported: older imports read the reference lists from here
from lapor.agencies.reference import (  # noqa: F401
    AGENCIES,  # noqa: F401
    MINISTRIES,  # noqa: F401
    NATIONAL_ROUTING,  # noqa: F401
    NETWORK_JOINED,  # noqa: F401
    STATE_ENTERPRISES,  # noqa: F401
    TOPICS,  # noqa: F401
)

DEMO_CITY_CODE = "13.74"  # Kota Padang Panjang, Sumatera Barat

# (name, short name, kind, [units])
CITY_DEPARTMENTS = [
    ("Sekretariat Daerah Kota Padang Panjang", "Setda", "department", ["Bagian Umum", "Bagian Organisasi"]),
    ("Inspektorat Daerah Kota Padang Panjang", "Inspektorat", "department", []),
    (
        "Dinas Pendidikan dan Kebudayaan",
        "Disdikbud",
        "department",
        ["Bidang Pembinaan Sekolah Dasar", "Bidang Pembinaan Sekolah Menengah Pertama"],
    ),
    (
        "Dinas Kesehatan",
        "Dinkes",
        "department",
        ["Bidang Pelayanan Kesehatan", "Bidang Pencegahan dan Pengendalian Penyakit"],
    ),
    (
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Dinas PUPR",
        "department",
        ["Bidang Bina Marga", "Bidang Sumber Daya Air"],
    ),
    ("Dinas Perumahan Rakyat dan Kawasan Permukiman", "Disperkim", "department", ["Bidang Penerangan Jalan Umum"]),
    ("Dinas Lingkungan Hidup", "DLH", "department", ["Bidang Pengelolaan Sampah"]),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", "department", ["Bidang Pelayanan Pendaftaran Penduduk"]),
    (
        "Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak",
        "Dinsos P3A",
        "department",
        ["Bidang Perlindungan dan Jaminan Sosial"],
    ),
    ("Dinas Perhubungan", "Dishub", "department", ["Bidang Lalu Lintas"]),
    ("Dinas Komunikasi dan Informatika", "Diskominfo", "department", []),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", "department", []),
    ("Dinas Perdagangan, Koperasi dan UKM", "Disdagkop", "department", []),
    ("Satuan Polisi Pamong Praja dan Pemadam Kebakaran", "Satpol PP Damkar", "department", []),
    ("Badan Penanggulangan Bencana Daerah", "BPBD", "department", []),
    ("Badan Keuangan Daerah", "BKD", "department", ["Bidang Pendapatan"]),
    ("RSUD Kota Padang Panjang", "RSUD", "hospital", []),
    ("Perumda Air Minum Kota Padang Panjang", "Perumda AM", "regional_enterprise", []),
]

HEALTH_CENTRES = [  # under Dinas Kesehatan; district code where each stands
    ("Puskesmas Bukit Surungan", "13.74.02"),
    ("Puskesmas Gunung", "13.74.02"),
    ("Puskesmas Kebun Sikolos", "13.74.02"),
    ("Puskesmas Koto Katik", "13.74.01"),
]

# topic slug -> department short name, for the demo city
CITY_ROUTING = {
    "infrastruktur": "Dinas PUPR",
    "jalan-jembatan": "Dinas PUPR",
    "drainase-banjir": "Dinas PUPR",
    "penerangan-jalan": "Disperkim",
    "lingkungan": "DLH",
    "sampah": "DLH",
    "pencemaran": "DLH",
    "kesehatan": "Dinkes",
    "layanan-puskesmas": "Dinkes",
    "rumah-sakit": "RSUD",
    "pendidikan": "Disdikbud",
    "ppdb": "Disdikbud",
    "sarana-sekolah": "Disdikbud",
    "beasiswa": "Disdikbud",
    "kependudukan": "Disdukcapil",
    "ktp-el": "Disdukcapil",
    "kartu-keluarga": "Disdukcapil",
    "akta": "Disdukcapil",
    "sosial": "Dinsos P3A",
    "bansos": "Dinsos P3A",
    "pkh": "Dinsos P3A",
    "perhubungan": "Dishub",
    "parkir": "Dishub",
    "lalu-lintas": "Dishub",
    "ketertiban": "Satpol PP Damkar",
    "perizinan": "DPMPTSP",
    "air-bersih": "Perumda AM",
    "bencana": "BPBD",
    "pajak-daerah": "BKD",
}
