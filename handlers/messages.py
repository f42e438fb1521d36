"""Every sentence the bot says to a citizen, in one place (WhatsApp markup: *bold*, _italic_)."""

from __future__ import annotations

GREETING = (
    "Halo, selamat datang di layanan informasi *{agency}*. 🙏\n"
    "Silakan tanyakan persyaratan, biaya, lama proses atau prosedur layanan, "
    "misalnya: _syarat kks hilang_ atau _berapa lama urus bpjs pbi_.\n"
    "Ketik *menu* untuk daftar layanan."
)
GREETING_NO_AGENCY = (
    "Halo, selamat datang di layanan informasi Dinas Sosial. 🙏\n"
    "Silakan tanyakan persyaratan, biaya, lama proses atau prosedur layanan. "
    "Ketik *menu* untuk melihat apa saja yang bisa dibantu."
)
THANKS = "Sama-sama. 🙏 Jika ada pertanyaan lain, silakan ketik saja, atau ketik *menu*."
EMPTY = (
    "Maaf, pesan Anda tidak dapat kami baca. Silakan ketik pertanyaan dengan huruf, "
    "misalnya: _syarat kks hilang_. Ketik *menu* untuk daftar layanan."
)
APOLOGY = (
    "Mohon maaf, terjadi gangguan saat memproses pesan Anda. Silakan coba lagi sebentar lagi, "
    "atau ketik *menu*."
)
RESET = "Percakapan dimulai dari awal. Silakan ketik pertanyaan Anda, atau *menu*."

MENU_HEAD = "*Layanan {agency}* yang bisa ditanyakan:"
MENU_TAIL = (
    "Balas dengan *nomor* layanan, atau tanyakan langsung, misalnya _syarat nomor 1_.\n"
    "Info lain: *jam buka*, *alamat*, *pengaduan*. Untuk melapor masalah bantuan ketik *lapor*."
)
MENU_NO_AGENCY = (
    "Saya bisa membantu:\n"
    "1. Persyaratan, biaya, lama proses dan prosedur layanan Dinas Sosial\n"
    "2. Jam pelayanan, alamat dan kontak kantor\n"
    "3. Cara menyampaikan pengaduan (ketik *lapor*)\n\n"
    "Agar jawabannya tepat, Anda tinggal di kabupaten/kota mana?"
)

ASK_AGENCY = "Agar jawabannya sesuai, Anda tinggal di kabupaten/kota mana? Balas dengan nomor:"
UNKNOWN_AGENCY = (
    "Maaf, kami belum melayani daerah tersebut. Layanan ini untuk daerah berikut; balas dengan nomor:"
)
AGENCY_SET = "Baik, kami catat Anda warga *{region}*."
ASK_SERVICE = "Layanan mana yang Anda maksud? Balas dengan nomor:"
ASK_SERVICE_FOR = "Untuk *{aspect}*, layanan mana yang Anda maksud? Balas dengan nomor:"

FALLBACK = (
    "Maaf, pertanyaan ini tidak tercakup dalam standar pelayanan *{agency}*, "
    "jadi kami tidak dapat menjawabnya. {hint}\n"
    "Ketik *menu* untuk daftar layanan, atau *petugas* bila ingin dibantu petugas."
)
FALLBACK_NO_AGENCY = (
    "Maaf, pertanyaan ini tidak tercakup dalam standar pelayanan Dinas Sosial yang kami punya, "
    "jadi kami tidak dapat menjawabnya. {hint}\n"
    "Ketik *menu* untuk daftar layanan, atau *petugas* bila ingin dibantu petugas."
)
ALL_FREE = (
    "Layanan Dinas Sosial *tidak dipungut biaya (gratis)*: begitu tertulis di semua standar pelayanan yang kami "
    "punya ({regions}).\n"
    "Jika ada yang meminta bayaran, laporkan dengan mengetik *lapor*."
)
ONLY_ONE_AGENCY = (
    "*{name}* yang kami punya berasal dari standar pelayanan *{agency}*. "
    "Agar tidak keliru, Anda tinggal di kabupaten/kota mana? Balas dengan nomor:"
)
NOT_HERE = (
    "Maaf, *{name}* tidak tercantum dalam standar pelayanan *{agency}* (kami hanya punya standar "
    "layanan ini dari *{owner}*), jadi tidak dapat kami jawab untuk daerah Anda.\n"
    "Silakan tanyakan langsung ke kantor Dinas Sosial (ketik *alamat*), atau ketik *menu* untuk daftar layanan."
)
OFFICER = (
    "Untuk dibantu langsung oleh petugas *{agency}*, silakan hubungi:\n{contact}\n"
    "Petugas melayani pada jam kerja."
)
# Handing the conversation to officers (handlers/officer.py); the office's hours decide when they answer.
HANDOFF_OPEN = (
    "Baik, percakapan ini kami teruskan ke petugas *{agency}*. 🙏 Petugas akan membalas di chat ini "
    "secepatnya pada jam kerja. Selama menunggu, tulis saja pesan Anda: petugas yang akan membacanya."
)
HANDOFF_LATER = (
    "Baik, percakapan ini kami teruskan ke petugas *{agency}*. 🙏 Kantor sedang tutup; petugas akan membalas "
    "di chat ini *{when}*. Selama menunggu, tulis saja pesan Anda: petugas yang akan membacanya."
)
HANDOFF_NOT_HELPED = "Maaf, sepertinya kami belum bisa membantu lewat bot. "
HANDOFF_UPSET = "Mohon maaf atas ketidaknyamanan yang Bapak/Ibu alami. "
HANDOFF_BACK = (
    "Percakapan dengan petugas sudah selesai. Terima kasih. 🙏 Bot kembali melayani: ketik pertanyaan Anda, "
    "*lapor* untuk pengaduan, atau *petugas* bila perlu dibantu petugas lagi."
)
OFFICER_NO_AGENCY = "Agar kami bisa menunjukkan kontak petugas yang tepat, Anda tinggal di kabupaten/kota mana?"

# Questions about the bot and about complaining (handlers/about.py).
GENERIC_AGENCY = "Dinas Sosial"
BOT_PRESENCE = (
    "Halo 🙏 Ini layanan *otomatis* (bot) {agency}: pertanyaan tentang persyaratan, biaya, lama proses dan "
    "prosedur layanan dijawab langsung dari standar pelayanan.\n"
    "Bila ingin dibantu petugas, ketik *petugas* untuk kontak kantor (petugas melayani pada jam kerja)."
)
PHOTO_HERE = (
    "Bisa, foto atau PDF dokumen (KTP, KK, KKS, buku tabungan) boleh dikirim di sini dan kami simpan. "
    "Untuk mengadu, ketik *lapor*; untuk mengurus layanan, dokumennya tetap dibawa ke kantor.\n"
    "_Jangan kirim foto PIN atau kode rahasia._"
)
COMPLAINT_FEAR = (
    "Menyampaikan pengaduan adalah *hak* Anda, dijamin UU 25/2009 tentang Pelayanan Publik. 🙏\n"
    "Lewat SP4N-LAPOR! (www.lapor.go.id) Anda bisa memilih *Anonim* (identitas Anda tidak ditampilkan) atau "
    "*Rahasia* (laporan tidak ditampilkan untuk umum).\n"
    "Ketik *lapor* untuk cara menyampaikan pengaduan."
)

# A problem told: one line of empathy and what the office can do, per problem (lexicon.yaml "problems").
COMPLAINT_EMPATHY = "Mohon maaf atas kendala yang Anda alami. 🙏 Masalah seperti ini bisa diadukan."
PROBLEM_EMPATHY = {
    "aid-cut": (
        "Mohon maaf atas kejadian ini. 🙏 Bantuan sosial harus diterima *utuh*: tidak boleh dipotong atau "
        "dimintai uang oleh siapa pun, dengan alasan apa pun (transport, fotokopi, jasa)."
    ),
    "card-held": (
        "Mohon maaf atas kejadian ini. 🙏 Kartu KKS, buku tabungan dan PIN adalah *milik KPM* dan dipegang "
        "sendiri; tidak boleh ditahan ketua kelompok, pendamping, agen atau siapa pun."
    ),
    "pbi-inactive": "Mohon maaf, kami paham ini mendesak, apalagi bila sedang perlu berobat. 🙏",
    "kks-lost-or-blocked": "Mohon maaf atas kendala kartu Anda. 🙏 Kartu bisa diurus penggantiannya, tanpa biaya.",
    "card-not-given": (
        "Mohon maaf, kartu Anda belum diterima. 🙏 KKS diserahkan langsung kepada KPM yang terdaftar, tanpa biaya."
    ),
    "less-than-announced": (
        "Mohon maaf atas kejadian ini. 🙏 Bantuan harus diterima sesuai jumlah yang ditetapkan; "
        "selisihnya perlu diperiksa."
    ),
    "not-received": (
        "Mohon maaf, bantuan Anda belum diterima. 🙏 Penyebabnya perlu diperiksa petugas "
        "(data penerima, saldo, atau kartu)."
    ),
    "not-registered": (
        "Mohon maaf atas kendala ini. 🙏 Dinas Sosial dapat memeriksa data Anda; usulan penerima bantuan dan "
        "perbaikan data biasanya diajukan lewat desa/kelurahan."
    ),
    "queue": "Mohon maaf atas antrean yang menyulitkan Anda. 🙏 Keluhan tentang pelayanan ini bisa diadukan.",
    "delay": "Mohon maaf atas keterlambatan ini. 🙏 Anda berhak menanyakan dan mengadukannya.",
    "conduct": "Mohon maaf atas perlakuan yang Anda alami. 🙏 Setiap warga berhak dilayani dengan sopan.",
}
PROBLEM_SERVICE = "Layanan yang bisa membantu: *{name}* ({summary})."
PROBLEM_BRING = "Bawa:"
PROBLEM_MORE_ITEMS = "_…ketik *syarat* untuk daftar lengkap._"
PROBLEM_STANDARD = "Menurut standar pelayanan {agency}: _{line}_"
COMPLAINT_CHANNELS = (
    "*Mau kami catat sebagai pengaduan?* Balas *ya* (atau ketik *lapor*), kami pandu langkah demi langkah.\n"
    "Bisa juga langsung melalui:\n{channels}"
)
COMPLAINT_SAFE = "_Jangan berikan PIN atau uang kepada siapa pun; layanan Dinas Sosial tidak dipungut biaya._"
COMPLAINT_HOWTO = (
    "Pengaduan bisa disampaikan melalui:\n{channels}\n"
    "Atau lewat chat ini: balas *ya* (atau ketik *lapor*), dan kami pandu mengisi pengaduan langkah demi "
    "langkah, dengan foto dokumennya.\n"
    "_Layanan Dinas Sosial tidak dipungut biaya; jangan berikan PIN atau uang kepada siapa pun._"
)
COMPLAINT_NO_AGENCY = (
    "Mohon maaf atas kendala yang Anda alami. 🙏 Masalah seperti ini bisa diadukan ke Dinas Sosial "
    "atau lewat SP4N-LAPOR (www.lapor.go.id).\n"
    "Agar kami bisa menunjukkan saluran pengaduan yang tepat, Anda tinggal di kabupaten/kota mana?"
)
NATIONAL_CHANNEL = "SP4N-LAPOR: www.lapor.go.id"

# Answers from a service standard. {name} is the service's name.
TITLE = {
    "requirements": "Persyaratan",
    "fee": "Biaya",
    "duration": "Jangka waktu",
    "procedure": "Prosedur",
    "products": "Produk layanan",
    "complaints": "Pengaduan, saran dan masukan",
    "legal": "Dasar hukum",
    "facilities": "Sarana dan fasilitas",
    "executors": "Jumlah pelaksana",
    "competencies": "Kompetensi pelaksana",
    "guarantees": "Jaminan pelayanan",
    "supervision": "Pengawasan internal",
    "evaluation": "Evaluasi kinerja pelaksana",
    "warnings": "Peringatan",
    "detail": "Rincian SOP",
    "hours": "Jam pelayanan",
    "contact": "Alamat dan kontak",
    "overview": "Informasi layanan",
    "howto": "Cara mengurus",
}
ASPECT_WORD = {
    "requirements": "persyaratan", "fee": "biaya", "duration": "lama proses", "procedure": "prosedur",
    "products": "produk layanan", "complaints": "pengaduan", "legal": "dasar hukum",
    "facilities": "fasilitas", "executors": "jumlah pelaksana", "competencies": "kompetensi pelaksana",
    "guarantees": "jaminan pelayanan", "supervision": "pengawasan", "evaluation": "evaluasi",
    "warnings": "peringatan", "detail": "rincian SOP", "howto": "cara mengurus",
}
HEADING = "*{title} – {name}*"
HOWTO_BRING = "*Persyaratan:*"
HOWTO_STEPS = "*Langkah-langkah:*"
HOWTO_ELIGIBLE = "*Syarat penerima:*"
HOWTO_REGISTER = (
    "_Keterangan umum (bukan dari standar ini):_ penerima bantuan diambil dari data kesejahteraan sosial "
    "pemerintah; usulan pendaftaran diajukan lewat *desa/kelurahan*, lalu diverifikasi Dinas Sosial."
)
HOWTO_OFFICE_STEPS = "Langkah di standar ini adalah pekerjaan kantor (penyaluran); ketik *prosedur* untuk melihatnya."
PRODUCTS_VAGUE = "*Rinciannya menurut prosedur:*"
YES_AT_OFFICE = "*Ya*, layanan ini diurus di *{agency}*."
YES_REQUIRED = "*Ya*, ini termasuk persyaratan:"
NOT_REQUIRED = "*Tidak*, dokumen itu tidak tercantum dalam persyaratan di standar pelayanan. Yang diminta:"
DETAIL_FOR = "_(untuk: {group})_"
DETAIL_LINE = "👉 {line}"
DETAIL_REST = "*Selengkapnya:*"
PROBLEM_ANSWER = "*{title} – {agency}*\nMenurut standar pelayanan: _{line}_"
PROBLEM_ANSWER_NEXT = "Bila ingin mengadu, ketik *lapor*."
PROBLEM_TITLE = {
    "kks-lost-or-blocked": "KKS hilang, rusak atau terblokir",
}
FEE_FREE = "Layanan ini *tidak dipungut biaya (gratis)*."
FEE_AS_WRITTEN = "Tertulis di standar: \"{fee}\"."
FEE_WARNING = "Jika ada yang meminta bayaran, laporkan dengan mengetik *lapor*."
FEE_GENERAL = "{general}"
DURATION = "Jangka waktu penyelesaian: *{human}*."
DURATION_AS_WRITTEN = "Tertulis di standar: \"{text}\"."
DURATION_STEPS = "Ketik *detail* untuk waktu tiap langkah."
STEP_ACTOR_TIME = " _({who})_"
FEE_LINE = "Biaya: *{fee}*."
DURATION_LINE = "Lama proses: *{duration}*."
SUMMARY_LINE = "Lama proses: *{duration}*. Biaya: *{fee}*."
FREE_SHORT = "gratis (tidak dipungut biaya)"
PAID_SHORT = "lihat ketentuan"
REQUIREMENTS_VAGUE = (
    "Standar pelayanan hanya menyebut \"{text}\", tanpa rincian dokumen. "
    "Sebelum datang, tanyakan dulu dokumen yang perlu dibawa:"
)
NOT_STATED = "{what} untuk layanan ini tidak tercantum dalam standar pelayanan."
AGENCY_NOT_STATED = "{what} *{agency}* tidak tercantum dalam standar pelayanan yang kami punya."
CONTACT_FALLBACK = "Silakan datang langsung ke kantor atau gunakan saluran pengaduan: ketik *pengaduan*."
WARNING_PREFIX = "⚠️ "
MORE = "Ketik *lanjut* untuk bagian berikutnya."
NO_MORE = "Tidak ada lanjutan. Silakan ketik pertanyaan lain, atau *menu*."
NEXT_STEP = "Ketik *{a}*, *{b}* atau *{c}* untuk info lain, atau *menu*."
SOURCE = "_Sumber: SP {agency} {number}_"  # SP: Standar Pelayanan
SOURCE_SOP = "_Sumber: SOP {name}, {agency}_"
NO_SCHEDULE = "• {days}: tidak ada jadwal pelayanan"
HOURS_LINE = "• {days}: {open}–{close} {tz}"
CONTACT_LINES = {
    "address": "Alamat: {value}",
    "phone": "Telepon: {value}",
    "whatsapp": "WhatsApp: {value}",
    "email": "E-mail: {value}",
    "website": "Website: {value}",
    "instagram": "Instagram: @{value}",
}
TZ_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

# Channels (WhatsApp, Telegram): subscriptions, photos and documents.
OPTED_OUT = (
    "Anda tidak akan lagi menerima pengumuman (jadwal penyaluran, pembagian KKS) dari layanan ini. "
    "Anda tetap bisa bertanya kapan saja. Ketik *LANGGANAN* untuk berlangganan lagi."
)
OPTED_IN = (
    "Terima kasih, Anda akan menerima pengumuman (jadwal penyaluran, pembagian KKS) dari layanan ini. "
    "Ketik *BERHENTI* bila tidak ingin menerimanya lagi."
)
SUBSCRIBE_OFFER = (
    "Ingin dikabari jadwal penyaluran bantuan atau pembagian KKS? Ketik *LANGGANAN*. "
    "Anda bisa berhenti kapan saja dengan mengetik *BERHENTI*."
)
TELEGRAM_START = (
    "Halo, selamat datang di layanan informasi Dinas Sosial. 🙏\n"
    "Silakan tanyakan persyaratan, biaya, lama proses atau prosedur layanan, misalnya: _syarat kks hilang_. "
    "Ketik *menu* untuk daftar layanan.\n"
    "Bila berkenan, bagikan nomor HP Anda dengan tombol di bawah agar petugas dapat menghubungi Anda."
)
SHARE_PHONE_BUTTON = "Bagikan nomor HP saya"
PHONE_SAVED = "Terima kasih, nomor HP Anda sudah kami simpan."
PHONE_NOT_OWN = "Maaf, yang bisa kami simpan hanya nomor HP Anda sendiri (gunakan tombol *Bagikan nomor HP saya*)."
MEDIA_RECEIVED = (
    "Terima kasih, {what} sedang kami proses. 🙏\n"
    "Bila ini untuk pengaduan (misalnya saldo kosong atau kartu ditahan), ketik *lapor* untuk caranya. "
    "Jangan kirim foto PIN atau kode rahasia."
)
MEDIA_WHAT_ONE = "foto/dokumen Anda"
MEDIA_WHAT_MANY = "{n} foto/dokumen Anda"
MEDIA_REJECTED = (
    "Maaf, file yang Anda kirim tidak bisa kami terima. Kirimkan dalam bentuk *foto* (JPG, PNG, WEBP) "
    "atau *PDF*."
)
MEDIA_TOO_LARGE = (
    "Maaf, file yang Anda kirim terlalu besar (maks. {size}). "
    "Mohon kirim sebagai *foto* biasa (bukan file), atau foto ulang dokumennya dengan kamera HP."
)
MEDIA_FAILED = (
    "Maaf, foto/dokumen yang Anda kirim gagal kami unduh. Mohon kirim ulang, atau datang langsung ke kantor."
)
PROCESSING_FAILED = (
    "Maaf, pesan Anda belum dapat kami proses karena gangguan sistem. "
    "Pesan Anda sudah kami catat dan akan diperiksa petugas. 🙏"
)

# The web chat simulator (a demonstration page, shared fairly between visitors).
SIMULATOR_TOO_FAST = "Mohon tunggu sebentar sebelum mengirim pesan berikutnya."
SIMULATOR_BUSY = "Simulator sedang sibuk. Mohon coba beberapa saat lagi."

# The pengaduan form (handlers/complaint_form.py): one short question per message.
FORM_CONSENT = (
    "Baik, kami bantu catat pengaduan Anda. 📝\n"
    "Sebelum mulai: kami akan meminta *nama, NIK, alamat (kecamatan dan desa), nomor HP* dan *foto dokumen* "
    "(KTP, KK, kartu KKS dan sejenisnya), hanya untuk memeriksa dan menindaklanjuti pengaduan ini. "
    "Data hanya dilihat petugas Dinas Sosial yang menangani, NIK disimpan terenkripsi, dan data pribadi "
    "dihapus 1 tahun setelah pengaduan selesai (UU 27/2022 tentang Pelindungan Data Pribadi).\n\n"
    "Ketik *setuju* untuk melanjutkan, atau *tidak*. Ketik *batal* kapan saja untuk berhenti.\n"
    "Tanpa mengisi data, Anda tetap bisa mengadu melalui:\n{channels}"
)
FORM_CONSENT_AGAIN = "Untuk melanjutkan pengaduan, ketik *setuju*; bila tidak, ketik *tidak*."
FORM_CONSENT_YES = "Setuju"
FORM_CONSENT_NO = "Tidak"
FORM_NO_CONSENT = (
    "Baik, tidak ada data yang kami simpan. 🙏 Anda tetap bisa mengadu melalui:\n{channels}"
)
FORM_CANCELLED = "Pengaduan dibatalkan dan data yang sudah diisi sudah kami hapus. Ketik *lapor* untuk mulai lagi."
FORM_EXPIRED = (
    "Pengisian pengaduan Anda sebelumnya tidak dilanjutkan lebih dari 24 jam, jadi datanya sudah kami hapus. "
    "Ketik *lapor* untuk mulai lagi."
)
FORM_REMINDER = (
    "Pengaduan Anda belum selesai diisi. Balas pesan ini untuk melanjutkan, atau ketik *batal*. "
    "Bila tidak dilanjutkan, data yang sudah diisi dihapus otomatis setelah 24 jam."
)
FORM_RESUME = "Kembali ke pengaduan Anda:"
FORM_ASK_AGENCY = "Anda tinggal di kabupaten/kota mana? Balas dengan nomornya."
FORM_AGENCY_AGAIN = "Maaf, wilayah itu belum kami layani. Pilih salah satu nomor berikut:"
FORM_ASK_TOPIC = "Masalahnya tentang apa? Balas dengan nomornya."
FORM_TOPICS = {
    "kks": "KKS hilang, rusak, PIN terblokir, atau belum diterima",
    "not-received": "Saldo kosong / bantuan belum diterima",
    "aid-cut": "Bantuan dipotong atau kurang dari seharusnya",
    "card-held": "Kartu/buku tabungan ditahan orang lain",
    "not-registered": "Tidak terdaftar / data salah",
    "pbi": "BPJS PBI (KIS) tidak aktif",
    "conduct": "Pelayanan petugas (antre, lambat, tidak sopan)",
    "other": "Lainnya",
}
FORM_ASK = {
    "name": "Siapa *nama lengkap* Anda (sesuai KTP)?",
    "nik": "Berapa *NIK* Anda? (16 angka di KTP atau KK)",
    "kecamatan": "Di *kecamatan* mana Anda tinggal?",
    "desa": "Di *desa/kelurahan* mana?",
    "description": "Ceritakan singkat masalahnya: apa yang terjadi, sejak kapan, dan di mana.",
}
FORM_NAME_INVALID = "Mohon tulis nama lengkap Anda dengan huruf (contoh: *Siti Aminah*)."
FORM_NIK_PROBLEM = {
    "not_digits": "NIK hanya berisi angka. Mohon ketik 16 angka NIK Anda (lihat di KTP atau KK).",
    "length": "NIK harus 16 angka, yang Anda kirim {length} angka. Mohon periksa lagi di KTP atau KK.",
    "province": "Dua angka pertama NIK itu bukan kode provinsi. Mohon periksa lagi NIK di KTP atau KK.",
    "region": "Angka kabupaten/kota atau kecamatan pada NIK itu tidak mungkin. Mohon periksa lagi di KTP atau KK.",
    "birth_date": (
        "Angka tanggal lahir pada NIK itu (angka ke-7 sampai ke-12) tidak mungkin. "
        "Mohon periksa lagi di KTP atau KK."
    ),
    "serial": "Empat angka terakhir NIK tidak boleh 0000. Mohon periksa lagi di KTP atau KK.",
}
FORM_PLACE_NAMES = {"kecamatan": "kecamatan", "desa": "desa/kelurahan"}
FORM_PLACE_INVALID = "Mohon tulis nama {what} dengan huruf (contoh: *Pelaihari*)."
FORM_DESCRIPTION_SHORT = "Mohon ceritakan sedikit lebih lengkap (paling sedikit satu kalimat)."
FORM_ASK_PHONE = (
    "Nomor HP yang bisa dihubungi petugas? Tekan tombol di bawah untuk membagikan nomor Anda, "
    "ketik nomornya, atau ketik *lewati*."
)
FORM_PHONE_INVALID = "Nomor HP itu tidak bisa kami baca. Contoh: *081234567890*. Atau ketik *lewati*."
FORM_SKIP = "Lewati"
FORM_PHOTOS_LIST = "Sekarang foto dokumennya, satu per satu:\n{items}"
FORM_ASK_PHOTO = (
    "📷 ({n}/{total}) Kirim foto *{item}*. Pastikan tulisannya terbaca dan tidak silau.\n"
    "Bila tidak ada, ketik *lewati*."
)
FORM_PHOTO_EXPECTED = "Mohon kirim *foto* {item} (bukan teks), atau ketik *lewati* bila tidak ada."
FORM_PHOTOS_TAKEN = "✅ {n} foto diterima."
FORM_PHOTO_REPLACED = "✅ Foto *{item}* sudah diganti dengan yang baru. Terima kasih."
FORM_MEDIA_REFUSED = "Maaf, {what} tidak bisa kami terima: kirim *foto* (JPG, PNG) atau *PDF*."
FORM_MEDIA_KIND = {"audio": "pesan suara", "video": "video", "text": "file teks", "application": "file itu"}
FORM_MEDIA_TOO_BIG = "file di atas 20 MB"
FORM_MEDIA_TOO_MANY = "foto lebih dari yang dibutuhkan"
FORM_EXTRA_ITEM = "Dokumen tambahan"
FORM_SUMMARY_HEAD = "*Periksa data pengaduan Anda:*"
FORM_SUMMARY_LINE = "• {label}: {value}"
FORM_SUMMARY_TAIL = "Ketik *kirim* bila sudah benar, *ubah* untuk memperbaiki, atau *batal*."
FORM_SEND = "Kirim"
FORM_EDIT = "Ubah"
FORM_CANCEL = "Batal"
FORM_ASK_EDIT = "Bagian mana yang ingin diubah? Balas dengan nomornya."
FORM_FIELDS = {"topic": "Masalah", "name": "Nama", "nik": "NIK", "kecamatan": "Kecamatan",
               "desa": "Desa/Kelurahan", "description": "Uraian", "photos": "Foto dokumen"}
FORM_SUBMITTED = (
    "✅ Pengaduan Anda sudah kami terima.\n"
    "Nomor pengaduan: *{ticket}*\n"
    "Simpan nomor ini untuk menanyakan perkembangannya (ketik *status*).\n\n"
    "Tahapan di {agency}:\n{steps}\n\n"
    "Perkiraan selesai: {due}.\n"
    "Kami kabari setiap ada perkembangan di chat ini."
)
FORM_NOTHING_TO_SEND = "Tidak ada pengaduan yang sedang diisi. Ketik *lapor* untuk membuat pengaduan."

# A case's changes, told to the citizen (bot/cases/notices.py). Never the NIK; the status named in words.
CASE_STATUS_LABELS = {"open": "diproses", "waiting": "menunggu data dari Anda", "resolved": "selesai",
                      "rejected": "ditolak"}
CASE_NOTE = "Catatan petugas: {note}\n"
CASE_MOVED = (
    "📋 Pengaduan *{ticket}*\n"
    "Status: {status}, tahap {n} dari {total}: *{step}*.\n"
    "{note}"
    "Perkiraan selesai: {due}."
)
CASE_EXTENDED = (
    "📋 Pengaduan *{ticket}*: waktu penyelesaian diperpanjang.\n"
    "{note}"
    "Perkiraan selesai sekarang: {due}. Mohon maaf atas waktu tunggunya. 🙏"
)
CASE_WAITING = (
    "📋 Pengaduan *{ticket}*\n"
    "Status: menunggu data dari Anda.\n"
    "Petugas memerlukan: {note}\n"
    "Kirim foto/dokumennya di chat ini, atau balas dengan keterangannya."
)
CASE_WAITING_DEFAULT = "data tambahan"
CASE_RESOLVED = (
    "✅ Pengaduan *{ticket}*\n"
    "Status: selesai.\n"
    "{note}"
    "Apakah masalahnya sudah selesai? Balas *ya*, *belum*, atau *tidak tahu*."
)
CASE_REJECTED = (
    "📋 Pengaduan *{ticket}*\n"
    "Status: ditolak / bukan wewenang Dinas Sosial.\n"
    "Penjelasan dan ke mana Anda bisa mengurusnya: {note}\n"
    "Bila ada pertanyaan, balas pesan ini."
)
CASE_DUPLICATE = (
    "Anda sudah punya pengaduan yang masih diproses untuk masalah yang sama: nomor *{ticket}*. "
    "Agar tidak dobel, pengaduan baru tidak kami buat; data yang baru diisi sudah kami hapus. "
    "Ketik *status* untuk melihat perkembangannya."
)
CASE_MESSAGE = "📋 Pengaduan *{ticket}*, pesan dari petugas:\n{text}"

# `status` and a ticket (handlers/case_status.py); the list itself is written by the host (bot/messaging/casework.py).
STATUS_NONE = (
    "Belum ada pengaduan yang tercatat dari chat ini. Ketik *lapor* untuk membuat pengaduan.\n"
    "Menanyakan pengaduan dari nomor/aplikasi lain? Kirim nomor pengaduannya dan 4 angka terakhir NIK, "
    "contoh: *TLT-7K3QMR 0002*."
)
STATUS_NOT_FOUND = (
    "Pengaduan *{ticket}* tidak ditemukan. Periksa lagi nomornya; dari nomor/aplikasi lain, sertakan 4 angka "
    "terakhir NIK (contoh: *{ticket} 0002*)."
)
STATUS_TOO_MANY = "Terlalu banyak nomor pengaduan yang tidak ditemukan. Mohon coba lagi 1 jam lagi."
STATUS_HEAD = "*Pengaduan Anda:*"
STATUS_LINE = "• *{ticket}* ({topic}): {status}, tahap {n} dari {total}: {step}.{due}{note}"
STATUS_DUE = " Perkiraan selesai: {due}."
STATUS_NOTE = "\n  Catatan terakhir: {note}"
STATUS_TAIL = "Ketik *petugas* bila ingin bertanya langsung."

# "Masalahnya sudah selesai?" and the SKM (Survei Kepuasan Masyarakat, PermenPANRB 14/2017).
FEEDBACK_REOPENED = (
    "Mohon maaf masalahnya belum selesai. 🙏 Pengaduan *{ticket}* kami buka kembali dan petugas sudah "
    "diberi tahu. Kami kabari perkembangannya di chat ini."
)
FEEDBACK_THANKS = "Terima kasih, senang masalahnya sudah selesai. 🙏"
FEEDBACK_NOTED = "Terima kasih, jawaban Anda kami catat."
SURVEY_OFFER = (
    "Bersediakah Anda mengisi *Survei Kepuasan Masyarakat* (9 pertanyaan singkat, jawab dengan angka 1–4)? "
    "Balas *ya* atau *tidak*."
)
SURVEY_YES = "Ya"
SURVEY_NO = "Tidak"
SURVEY_DECLINED = "Baik, terima kasih. 🙏"
SURVEY_QUESTION = "Survei ({n}/{total}): {question}"
SURVEY_TAIL = "Balas dengan angka 1–4, atau *stop* untuk berhenti."
SURVEY_PICK = "Mohon jawab dengan angka 1, 2, 3 atau 4."
SURVEY_STOPPED = "Survei dihentikan; jawaban yang sudah diberikan kami catat. Terima kasih. 🙏"
SURVEY_DONE = "Terima kasih atas penilaian Anda! 🙏 Masukan Anda membantu kami memperbaiki pelayanan."
SURVEY_QUESTIONS = (
    ("Bagaimana kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("Bagaimana kemudahan prosedur pelayanan di unit ini?",
     ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah")),
    ("Bagaimana kecepatan waktu dalam memberikan pelayanan?",
     ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat")),
    ("Bagaimana kewajaran biaya/tarif dalam pelayanan?",
     ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")),
    ("Bagaimana kesesuaian produk pelayanan dalam standar pelayanan dengan hasil yang diberikan?",
     ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")),
    ("Bagaimana kompetensi/kemampuan petugas dalam pelayanan?",
     ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten")),
    ("Bagaimana perilaku petugas dalam pelayanan, terkait kesopanan dan keramahan?",
     ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah")),
    ("Bagaimana penanganan pengaduan pengguna layanan?",
     ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik")),
    ("Bagaimana kualitas sarana dan prasarana?",
     ("Buruk", "Cukup", "Baik", "Sangat baik")),
)
CASE_PHOTO_REPLACED = (
    "✅ Terima kasih, foto pengganti untuk pengaduan *{ticket}* sudah kami terima dan menggantikan foto yang "
    "kurang jelas."
)
CASE_DOCUMENT_RECEIVED = (
    "Terima kasih, {n} dokumen untuk pengaduan *{ticket}* sudah kami terima dan diteruskan ke petugas. "
    "Kami kabari perkembangannya di chat ini."
)

# WhatsApp templates (utility), sent instead of the free text above once the 24-hour window has closed. Their
# texts must be approved by Meta exactly as written here (docs/whatsapp-templates.md has the requests):
# a body never starts or ends with a variable, and has several fixed words around each.
WHATSAPP_TEMPLATES = {
    "case_received": (
        "Pengaduan Anda sudah kami terima dengan nomor {{1}}. Perkiraan selesai {{2}}. "
        "Kami akan mengabari setiap perkembangan melalui WhatsApp ini."
    ),
    "case_status": (
        "Pengaduan Anda nomor {{1}} kini berstatus {{2}}. Perkiraan selesai {{3}}. "
        "Balas pesan ini bila ada pertanyaan."
    ),
    "case_waiting": (
        "Pengaduan Anda nomor {{1}} menunggu data dari Anda, yaitu {{2}}. "
        "Mohon kirim foto atau keterangannya dengan membalas pesan ini."
    ),
    "case_resolved": (
        "Pengaduan Anda nomor {{1}} sudah selesai ditangani. Apakah masalahnya sudah selesai? "
        "Balas Ya, Belum, atau Tidak tahu."
    ),
    "case_survey": (
        "Terima kasih telah menyampaikan pengaduan nomor {{1}} kepada kami. Bersediakah Anda mengisi survei "
        "kepuasan singkat? Balas Ya untuk memulai."
    ),
    # marketing: an announcement to the citizens who typed LANGGANAN (docs/whatsapp-templates.md)
    "announcement": (
        "Pengumuman dari {{1}} untuk pelanggan info: {{2}}. Ketik BERHENTI bila tidak ingin menerima "
        "pengumuman lagi."
    ),
}
# Schedules an admin announced (broadcasts marked as a schedule), answered until they end
SCHEDULE_LEAD = "Pengumuman terbaru dari {agency}:"
SCHEDULE_ITEM = "📢 *{what}*{where}\n{text}\n(berlaku sampai {until})"
SCHEDULE_WHERE = " di {where}"
SCHEDULE_MORE = "Ketik *LANGGANAN* agar pengumuman berikutnya langsung dikirim ke chat ini."
SCHEDULE_ASK = "Untuk jadwal di tempat lain, ketik *PETUGAS* agar dibantu petugas."
# An announcement (broadcast) as the chat shows it inside WhatsApp's 24-hour window, and on Telegram
ANNOUNCEMENT = "📢 *Pengumuman {agency}*\n\n{text}\n\nKetik *BERHENTI* bila tidak ingin menerima pengumuman lagi."
MEDIA_RETAKE = {
    "small": (
        "Foto yang Anda kirim terlalu kecil untuk dibaca petugas. 🙏 Mohon foto ulang dokumennya lebih dekat "
        "(memenuhi layar) dan kirim lagi di chat ini; foto pertama tetap kami simpan sampai ada yang lebih jelas."
    ),
    "blurry": (
        "Foto yang Anda kirim kurang jelas (buram), tulisannya sulit dibaca. 🙏 Mohon foto ulang di tempat terang, "
        "HP dipegang diam, lalu kirim lagi di chat ini; foto pertama tetap kami simpan sampai ada yang lebih jelas."
    ),
}
MEDIA_NOTE_FOR_OFFICERS = "Pesan bot yang tidak dikirim (percakapan dipegang petugas): {notice}"
PHOTO_WHERE = "Terima kasih, {n} foto/dokumen kami terima. Untuk apa dokumen ini?"
PHOTO_FOR_CASE = "Lampirkan ke pengaduan {ticket}"
PHOTO_FOR_NEW = "Untuk pengaduan baru"
