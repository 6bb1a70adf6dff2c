"""The real network every deployment starts from (``lapor setup``, and the demo on top of it): the 2024
cabinet's ministries, major non-ministerial agencies and state enterprises, a national topic tree and
the routing rules that hold in every region. Provincial and regency/city governments are made from the
Kemendagri region codes (``agencies.regions``). No account, no report, nothing invented here: the demo
city and its accounts live in ``lapor.demo`` (network.py, load.py).
"""

from __future__ import annotations

import datetime as dt

MINISTRIES = [
    "Kementerian Koordinator Bidang Politik dan Keamanan",
    "Kementerian Koordinator Bidang Hukum, Hak Asasi Manusia, Imigrasi, dan Pemasyarakatan",
    "Kementerian Koordinator Bidang Perekonomian",
    "Kementerian Koordinator Bidang Pembangunan Manusia dan Kebudayaan",
    "Kementerian Koordinator Bidang Infrastruktur dan Pembangunan Kewilayahan",
    "Kementerian Koordinator Bidang Pangan",
    "Kementerian Koordinator Bidang Pemberdayaan Masyarakat",
    "Kementerian Sekretariat Negara",
    "Kementerian Dalam Negeri",
    "Kementerian Luar Negeri",
    "Kementerian Pertahanan",
    "Kementerian Agama",
    "Kementerian Hukum",
    "Kementerian Hak Asasi Manusia",
    "Kementerian Imigrasi dan Pemasyarakatan",
    "Kementerian Keuangan",
    "Kementerian Pendidikan Dasar dan Menengah",
    "Kementerian Pendidikan Tinggi, Sains, dan Teknologi",
    "Kementerian Kebudayaan",
    "Kementerian Kesehatan",
    "Kementerian Sosial",
    "Kementerian Ketenagakerjaan",
    "Kementerian Pelindungan Pekerja Migran Indonesia",
    "Kementerian Perindustrian",
    "Kementerian Perdagangan",
    "Kementerian Energi dan Sumber Daya Mineral",
    "Kementerian Pekerjaan Umum",
    "Kementerian Perumahan dan Kawasan Permukiman",
    "Kementerian Desa dan Pembangunan Daerah Tertinggal",
    "Kementerian Transmigrasi",
    "Kementerian Perhubungan",
    "Kementerian Komunikasi dan Digital",
    "Kementerian Pertanian",
    "Kementerian Kehutanan",
    "Kementerian Kelautan dan Perikanan",
    "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional",
    "Kementerian Perencanaan Pembangunan Nasional/Bappenas",
    "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
    "Kementerian Badan Usaha Milik Negara",
    "Kementerian Kependudukan dan Pembangunan Keluarga/BKKBN",
    "Kementerian Lingkungan Hidup/Badan Pengendalian Lingkungan Hidup",
    "Kementerian Investasi dan Hilirisasi/BKPM",
    "Kementerian Koperasi",
    "Kementerian Usaha Mikro, Kecil, dan Menengah",
    "Kementerian Pariwisata",
    "Kementerian Ekonomi Kreatif/Badan Ekonomi Kreatif",
    "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak",
    "Kementerian Pemuda dan Olahraga",
]

AGENCIES = [
    ("Badan Kepegawaian Negara", "BKN"),
    ("Badan Pusat Statistik", "BPS"),
    ("Badan Nasional Penanggulangan Bencana", "BNPB"),
    ("Badan Pengawas Obat dan Makanan", "BPOM"),
    ("Badan Meteorologi, Klimatologi, dan Geofisika", "BMKG"),
    ("Badan Gizi Nasional", "BGN"),
    ("Badan Riset dan Inovasi Nasional", "BRIN"),
    ("Badan Siber dan Sandi Negara", "BSSN"),
    ("Badan Narkotika Nasional", "BNN"),
    ("Lembaga Administrasi Negara", "LAN"),
    ("Kepolisian Negara Republik Indonesia", "Polri"),
    ("Kejaksaan Republik Indonesia", "Kejaksaan"),
    ("BPJS Kesehatan", "BPJS Kesehatan"),
    ("BPJS Ketenagakerjaan", "BPJS TK"),
]

STATE_ENTERPRISES = [
    ("PT PLN (Persero)", "PLN"),
    ("PT Pertamina (Persero)", "Pertamina"),
    ("PT Kereta Api Indonesia (Persero)", "KAI"),
    ("PT Pos Indonesia (Persero)", "Pos Indonesia"),
    ("PT Telkom Indonesia (Persero) Tbk", "Telkom"),
    ("Perum BULOG", "Bulog"),
]

# (slug, name, English name, keywords, [children as (slug, name, name_en, keywords)])
TOPICS = [
    (
        "infrastruktur",
        "Infrastruktur",
        "Infrastructure",
        "jalan,jembatan",
        [
            ("jalan-jembatan", "Jalan dan Jembatan", "Roads and bridges", "jalan rusak,berlubang,aspal,jembatan"),
            ("drainase-banjir", "Drainase dan Banjir", "Drainage and flooding", "banjir,got,selokan,drainase,genangan"),
            ("penerangan-jalan", "Penerangan Jalan Umum", "Street lighting", "lampu jalan,PJU,gelap"),
        ],
    ),
    (
        "lingkungan",
        "Lingkungan Hidup",
        "Environment",
        "lingkungan",
        [
            ("sampah", "Sampah dan Kebersihan", "Waste and cleanliness", "sampah,TPS,bau,kebersihan"),
            ("pencemaran", "Pencemaran", "Pollution", "limbah,asap,pencemaran,bising"),
        ],
    ),
    (
        "kesehatan",
        "Kesehatan",
        "Health",
        "kesehatan",
        [
            ("layanan-puskesmas", "Layanan Puskesmas", "Health centre services", "puskesmas,antre,dokter,obat"),
            ("rumah-sakit", "Rumah Sakit", "Hospitals", "rumah sakit,RSUD,rawat inap,IGD"),
            ("jaminan-kesehatan", "Jaminan Kesehatan (BPJS)", "Health insurance (BPJS)", "BPJS,KIS,iuran,faskes"),
        ],
    ),
    (
        "pendidikan",
        "Pendidikan",
        "Education",
        "sekolah",
        [
            ("ppdb", "Penerimaan Peserta Didik Baru", "School admissions", "PPDB,zonasi,pendaftaran sekolah"),
            (
                "sarana-sekolah",
                "Sarana dan Prasarana Sekolah",
                "School facilities",
                "gedung sekolah,kelas,toilet sekolah",
            ),
            ("beasiswa", "Beasiswa dan Bantuan Pendidikan", "Scholarships", "beasiswa,KIP,PIP"),
        ],
    ),
    (
        "kependudukan",
        "Administrasi Kependudukan",
        "Civil registration",
        "dukcapil",
        [
            ("ktp-el", "KTP Elektronik", "Electronic ID card", "KTP,e-KTP,blanko,rekam"),
            ("kartu-keluarga", "Kartu Keluarga", "Family card", "KK,kartu keluarga,pindah"),
            ("akta", "Akta Kelahiran dan Kematian", "Birth and death certificates", "akta,kelahiran,kematian"),
        ],
    ),
    (
        "sosial",
        "Kesejahteraan Sosial",
        "Social welfare",
        "bantuan",
        [
            ("bansos", "Bantuan Sosial", "Social assistance", "bansos,BLT,sembako,DTKS"),
            ("pkh", "Program Keluarga Harapan", "Family hope programme", "PKH,pendamping"),
        ],
    ),
    (
        "perhubungan",
        "Perhubungan",
        "Transport",
        "transportasi",
        [
            ("parkir", "Parkir", "Parking", "parkir liar,juru parkir,retribusi parkir"),
            (
                "lalu-lintas",
                "Lalu Lintas dan Angkutan Umum",
                "Traffic and public transport",
                "macet,rambu,angkot,lampu merah",
            ),
        ],
    ),
    ("ketertiban", "Ketenteraman dan Ketertiban Umum", "Public order", "satpol,ketertiban,PKL,pedagang kaki lima", []),
    ("perizinan", "Perizinan dan Investasi", "Permits", "izin,IMB,PBG,OSS,NIB", []),
    ("air-bersih", "Air Bersih", "Water supply", "air mati,PDAM,air keruh,tagihan air", []),
    ("listrik", "Listrik", "Electricity", "listrik padam,PLN,token,tiang listrik", []),
    ("kepegawaian", "Kepegawaian", "Civil service", "ASN,PNS,PPPK,honorer,CPNS", []),
    ("bencana", "Kebencanaan", "Disasters", "longsor,gempa,banjir bandang,pohon tumbang", []),
    ("pajak-daerah", "Pajak dan Retribusi Daerah", "Local taxes", "PBB,BPHTB,pajak,retribusi", []),
]

# topic slug -> national agency short name, for every region
NATIONAL_ROUTING = {"jaminan-kesehatan": "BPJS Kesehatan", "listrik": "PLN", "kepegawaian": "BKN"}

NETWORK_JOINED = dt.date(2016, 6, 1)
